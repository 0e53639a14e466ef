using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>
/// Everything needed to run tasks of a planned run folder: the run's reader (manifest, fold plan,
/// results) and the data, checked against the manifest's hash. Opened once per process.
/// </summary>
internal sealed class RunContext : RunReader, IDisposable
{
    public required ExperimentData Data { get; init; }

    /// <param name="greyLevels">Keep the examples' 8-bit grey levels (<see cref="ExperimentData.GreyRows"/>), as the report's duplicates search needs them.</param>
    public static RunContext Open(string runDirectory, DatasetRegistry datasets, string? cacheDirectory, bool greyLevels = false)
    {
        var folder = new RunFolder(runDirectory);
        return Open(folder, ReadManifest(folder), datasets, cacheDirectory, greyLevels);
    }

    /// <summary>
    /// A reader of the run with its examples: from examples.npz without touching the data, or for a run
    /// folder made before that file, from the data loaded once.
    /// </summary>
    public static RunReader OpenReader(string runDirectory, DatasetRegistry datasets, string? cacheDirectory)
    {
        var reader = RunReader.Open(runDirectory);
        if (reader.Examples is not null) return reader;
        using var context = Open(reader.Folder, reader.Manifest, datasets, cacheDirectory);
        return new RunReader { Folder = reader.Folder, Manifest = reader.Manifest, Plan = reader.Plan, InModels = reader.InModels, Examples = context.Examples };
    }

    internal static RunContext Open(RunFolder folder, RunManifest manifest, DatasetRegistry datasets, string? cacheDirectory, bool greyLevels = false)
    {
        TorchThreads.Use(manifest.Config.Threads);
        var data = TrainingData.Prepare(manifest.Config, datasets, cacheDirectory ?? manifest.CacheDirectory ?? datasets.DefaultCacheDirectory, manifest.Input,
            greyLevels: greyLevels, recorded: DedupFile.Recorded(folder.Root, manifest.Config, manifest.DatasetHash));
        return FromData(folder, manifest, data);
    }

    /// <summary>Takes ownership of <paramref name="data"/>; refuses data whose hash differs from the manifest's.</summary>
    internal static RunContext FromData(RunFolder folder, RunManifest manifest, ExperimentData data)
    {
        var config = manifest.Config;
        TorchThreads.Use(config.Threads);
        if (manifest.DatasetHash != data.ContentHash)
        {
            data.Dispose();
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{folder.ManifestPath}: the run was made on different data (dataset hash {manifest.DatasetHash}, now {data.ContentHash}); use a new --out");
        }
        string device = ComputeDevice.NameOf(ComputeDevice.Resolve(config.Device));
        if (device != manifest.Device)
        {
            data.Dispose();
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{folder.ManifestPath}: the run computes on {manifest.Device}, this process would use {device} (device = {config.Device}); results differ across devices, so use the run's device");
        }
        var plan = new FoldPlan(data.Count, config.Folds, config.Repeats, config.Seed);
        return new RunContext
        {
            Folder = folder, Manifest = manifest, Data = data, Plan = plan, InModels = InModelSubset.For(config.InModels, plan, config.Seed),
            Examples = new RunExamples(data.Labels, data.SourceIndices),
        };
    }

    public void Dispose() => Data.Dispose();
}
