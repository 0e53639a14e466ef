using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <summary>
/// Everything needed to run or aggregate tasks of a planned run folder: its manifest, the data
/// (checked against the manifest's hash) and the fold plan. Opened once per process.
/// </summary>
internal sealed class RunContext : IDisposable
{
    public required RunFolder Folder { get; init; }
    public required RunManifest Manifest { get; init; }
    public required ExperimentData Data { get; init; }
    public required FoldPlan Plan { get; init; }
    public ExperimentConfig Config => Manifest.Config;
    public int TaskCount => Plan.Folds * Plan.Repeats;
    /// <summary>Which in-models each example keeps (--in-models); null = all.</summary>
    public InModelSubset? InModels { get; init; }

    public static RunContext Open(string runDirectory, DatasetRegistry datasets, string? cacheDirectory)
    {
        var folder = new RunFolder(runDirectory);
        if (!File.Exists(folder.ManifestPath))
            throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ManifestPath}: not found; create the run with `memscore plan` or `memscore run` first");
        var manifest = RunManifest.Read(folder.ManifestPath);
        return Open(folder, manifest, datasets, cacheDirectory);
    }

    internal static RunContext Open(RunFolder folder, RunManifest manifest, DatasetRegistry datasets, string? cacheDirectory)
    {
        TorchThreads.Use(manifest.Config.Threads);
        var data = ExperimentData.Prepare(manifest.Config, datasets, cacheDirectory ?? manifest.CacheDirectory ?? datasets.DefaultCacheDirectory, manifest.Input);
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
        return new RunContext { Folder = folder, Manifest = manifest, Data = data, Plan = plan, InModels = InModelSubset.For(config.InModels, plan, config.Seed) };
    }

    /// <summary>Task index i is repeat i / K, fold i % K (the order of the plan and of Slurm array indices).</summary>
    public TaskId TaskAt(int index)
    {
        if (index < 0 || index >= TaskCount)
            throw new InvalidConfigurationException($"index = {index}: expected 0..{TaskCount - 1} ({Plan.Repeats} repeats x {Plan.Folds} folds)");
        return new TaskId(index / Plan.Folds, index % Plan.Folds);
    }

    public static int IndexOf(TaskId task, int folds) => task.Repeat * folds + task.Fold;

    /// <summary>The finished result of <paramref name="task"/>, or null if none; foreign or broken results are errors.</summary>
    public TaskResult? LoadResult(TaskId task)
    {
        string path = Folder.TaskPath(task);
        if (!File.Exists(path)) return null;
        var result = TaskResultFile.Read(path, TaskResultFile.MaxBytes(Plan.Count, Config.EvaluationEpochs().Length, Config.Epochs));
        if (result.ConfigHash != Manifest.ConfigHash)
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result belongs to config {result.ConfigHash}, this run is {Manifest.ConfigHash}; delete it or use a new --out");
        if (result.Task != task || !result.HeldOut.SequenceEqual(Plan.HeldOut(task)))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result is for {result.Task} with another fold split; delete it or use a new --out");
        if (result.LogLikelihoods.Any(row => row.Length != Plan.Count) || !result.EvaluationEpochs.SequenceEqual(Config.EvaluationEpochs()))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result has another shape than this run ({Plan.Count} examples, epochs {string.Join(",", Config.EvaluationEpochs())})");
        if (result.TrainLoss.Length != Config.Epochs)
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: 'train_loss' has {result.TrainLoss.Length} entries, this run trains {Config.Epochs} epochs; delete it or use a new --out");
        double maxEss = Config.ImportanceSamples * (1 + ResultValues.EssTolerance);
        if (result.EffectiveSampleSizes?.SelectMany(row => row).FirstOrDefault(s => s > maxEss) is { } ess and > 0)
            throw new MemScoreException(ErrorKind.RunFolder, FormattableString.Invariant($"{path}: 'ess' holds {ess}, more than is-samples = {Config.ImportanceSamples}; the file is damaged: delete it to retrain the task"));
        if (!InModelSubset.SameRows(result.Evaluated, InModels?.RowsToEvaluate(task)))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result evaluated other examples than --in-models {Config.InModels?.ToString() ?? "(all)"} asks of {task}; delete it or use a new --out");
        return result;
    }

    public void Dispose() => Data.Dispose();
}
