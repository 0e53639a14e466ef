using System.Diagnostics;
using System.Text.Json.Nodes;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <param name="TestFraction">Share of the examples held out as test set when the dataset has no test split.</param>
/// <param name="ExportPyTorch">Also write model.pt, the final weights as a PyTorch state dict (<see cref="PyTorchExport"/>), also for a finished run.</param>
internal sealed record FullRunRequest(ExperimentConfig Config, string OutputDirectory, string? CacheDirectory = null,
    double TestFraction = 0.1, int CheckpointEvery = 1, bool Download = false, bool ExportPyTorch = false);

internal sealed record FullRunOutcome(FullRunFolder Folder, FullCurves Curves, int TrainCount, int TestCount, string TestSource,
    long Dimensions, bool Reused, TimeSpan Elapsed);

/// <summary>
/// `memscore full`: the overfitting view (METHOD.md section 4, last item). One model is trained on
/// the whole training split; every epoch records the training loss and the eval-mode losses of the
/// training and test examples; at the evaluation epochs log p(x) of every example of both. The
/// model state is checkpointed, so a killed run resumes and ends with the same files.
/// </summary>
internal sealed class FullRunner(DatasetRegistry datasets, ModelRegistry models)
{
    public FullRunOutcome Run(FullRunRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        DenormalFlushing.SetForCurrentThread(true);
        var config = FullRunSplit.WithoutFoldFields(request.Config);
        ConfigValidator.Validate(config, datasets, models);
        if (request.ExportPyTorch) PyTorchExport.RequireExportable(config, models);
        if (!(request.TestFraction > 0 && request.TestFraction < 1))
            throw new InvalidConfigurationException($"test-fraction = {request.TestFraction}: expected a number between 0 and 1");
        OutputFolder.RefuseInsideData(request.OutputDirectory, config.DataDir);
        var folder = new FullRunFolder(request.OutputDirectory);
        OutputFolder.RefuseForeign(folder.Root, "full.json", FullRunFolder.OwnEntries.Contains, "MemScore full-run folder");
        WritableFolder.Ensure(folder.Root, "output folder");
        using var runLock = RunLock.Acquire(folder.Root);
        AtomicFile.DeleteLeftovers(folder.Root);
        TorchThreads.Use(config.Threads);

        var family = models.Get(config.Model);
        using var split = FullRunSplit.Prepare(config, datasets, request.CacheDirectory ?? datasets.DefaultCacheDirectory, family.InputFor(config.ModelOptions),
            request.TestFraction, request.Download, recorded: folder.RecordedDedup(config));
        WriteOrCheckManifest(folder, config, split.DataHash, split, request.TestFraction);
        DedupFile.WriteIfDeduplicated(folder.Root, split.Train, config.Dedup is not null);
        long dimensions = split.Train.ImageShape.Aggregate(1L, (a, b) => a * b);

        if (File.Exists(folder.ResultPath))
        {
            var (done, hash, _) = FullRunFolder.Read(folder.ResultPath, split.TrainRows.Length, split.TestRows.Length);
            if (hash == config.Hash())
            {
                if (request.ExportPyTorch) PyTorchExport.WriteFullModel(folder);
                return new FullRunOutcome(folder, done, split.TrainRows.Length, split.TestRows.Length, split.Source, dimensions, true, clock.Elapsed);
            }
        }
        var curves = Train(config, family, split, folder, request.CheckpointEvery, progress, cancellation);
        AtomicFile.WriteAllText(folder.CurvesCsvPath, FullRunFolder.CurvesCsv(curves, dimensions));
        if (request.ExportPyTorch) PyTorchExport.WriteFullModel(folder);
        AtomicFile.Write(folder.ResultPath, s => Npz.WriteTo(s, FullRunFolder.ToArrays(curves, config.Hash())));
        if (File.Exists(folder.CheckpointPath)) File.Delete(folder.CheckpointPath);
        return new FullRunOutcome(folder, curves, split.TrainRows.Length, split.TestRows.Length, split.Source, dimensions, false, clock.Elapsed);
    }


    static void WriteOrCheckManifest(FullRunFolder folder, ExperimentConfig config, string dataHash, FullRunSplit split, double testFraction)
    {
        var manifest = new JsonObject
        {
            ["kind"] = "full",
            ["config"] = JsonNode.Parse(config.ToJson()),
            ["config_hash"] = config.Hash(),
            ["dataset_hash"] = dataHash,
            ["train_examples"] = split.TrainRows.Length,
            ["test_examples"] = split.TestRows.Length,
            ["test_source"] = split.Source,
            ["test_fraction"] = testFraction,
            ["results_scheme"] = ModelRegistry.ResultsSchemeOf(config.Model),
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        if (File.Exists(folder.ManifestPath))
        {
            var previous = JsonNode.Parse(InputFile.ReadAllText(folder.ManifestPath, ErrorKind.RunFolder, "a full-run manifest (JSON)"));
            if (previous is JsonObject root && RunManifest.SchemeOf(root, folder.ManifestPath) is int scheme && scheme != ModelRegistry.ResultsSchemeOf(config.Model))
                throw ResultsScheme.Refusal(folder.ManifestPath, scheme, "full-run folder", ModelRegistry.ResultsSchemeOf(config.Model));
            if (previous?["config_hash"]?.GetValue<string>() != config.Hash() || previous?["dataset_hash"]?.GetValue<string>() != dataHash)
                throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ManifestPath}: this folder holds a full run with other settings or data; choose a new --out");
            return;
        }
        AtomicFile.WriteAllText(folder.ManifestPath, manifest);
    }

    FullCurves Train(ExperimentConfig config, ModelFamily family, FullRunSplit split, FullRunFolder folder, int checkpointEvery,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var seeds = new SeedSchedule(config.Seed);
        using var model = family.Create(config.ModelContextFor(split.Train.ImageShape, seeds.FullRun.ModelInit));
        using var trainImages = FullRunSplit.Rows(split.Train.Scored, split.TrainRows);   // stored form; batches are converted as they are read
        using var testImages = FullRunSplit.Rows(split.Test.Scored, split.TestRows);
        var evaluationEpochs = config.EvaluationEpochs();
        var unit = new FullRunUnit(new SingleModelUnit(model, config, TrainingBatches.For(split.Train, config), split.TrainRows, trainImages, null,
            seeds.FullRun, "the full run"), trainImages, testImages, seeds, config.EvalBatchSize);
        var checkpoint = new FullRunCheckpoint(unit, folder, config.Hash(), checkpointEvery, split.TrainRows.Length, split.TestRows.Length, evaluationEpochs,
            EpochTrainer.StepsPerEpoch(split.TrainRows.Length, config.BatchSize), progress is null ? null : note => progress.Report(TrainingProgress.Warn(config.Epochs, note)));
        var history = TaskLoop.Run(unit, config.Epochs, evaluationEpochs, checkpoint, progress is null ? null : progress.Report, cancellation);
        if (unit.State is { } state) checkpoint.Write(folder.ModelPath, state, history);
        return unit.Curves(history, evaluationEpochs);
    }
}
