using System.Diagnostics;
using System.Text.Json.Nodes;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <param name="TestFraction">Share of the examples held out as test set when the dataset has no test split.</param>
public sealed record FullRunRequest(ExperimentConfig Config, string OutputDirectory, string? CacheDirectory = null,
    double TestFraction = 0.1, int CheckpointEvery = 1, bool Download = false);

public sealed record FullRunOutcome(FullRunFolder Folder, FullCurves Curves, int TrainCount, int TestCount, string TestSource,
    long Dimensions, bool Reused, TimeSpan Elapsed);

/// <summary>
/// `memscore full`: the overfitting view (METHOD.md section 4, last item). One model is trained on
/// the whole training split; every epoch records the training loss and the eval-mode losses of the
/// training and test examples; at the evaluation epochs log p(x) of every example of both. The
/// model state is checkpointed, so a killed run resumes and ends with the same files.
/// </summary>
public sealed class FullRunner(DatasetRegistry datasets, ModelRegistry models)
{
    public FullRunOutcome Run(FullRunRequest request, IProgress<TaskProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        DenormalFlushing.SetForCurrentThread(true);
        var config = request.Config;
        ConfigValidator.Validate(config, datasets, models);
        if (!(request.TestFraction > 0 && request.TestFraction < 1))
            throw new InvalidConfigurationException($"test-fraction = {request.TestFraction}: expected a number between 0 and 1");
        OutputFolder.RefuseInsideData(request.OutputDirectory, config.DataDir);
        var folder = new FullRunFolder(request.OutputDirectory);
        OutputFolder.RefuseForeign(folder.Root, "full.json", FullRunFolder.OwnEntries.Contains, "MemScore full-run folder");
        WritableFolder.Ensure(folder.Root, "output folder");
        using var runLock = RunLock.Acquire(folder.Root);
        AtomicFile.DeleteLeftovers(folder.Root);
        set_num_threads(config.Threads);

        var family = models.Get(config.Model);
        using var split = FullRunSplit.Prepare(config, datasets, request.CacheDirectory ?? DatasetRequest.DefaultCacheDirectory(), family.Input,
            request.TestFraction, request.Download);
        WriteOrCheckManifest(folder, config, split.DataHash, split, request.TestFraction);
        long dimensions = split.Train.ImageShape.Aggregate(1L, (a, b) => a * b);

        if (File.Exists(folder.ResultPath))
        {
            var (done, hash, _) = FullRunFolder.Read(folder.ResultPath, split.TrainRows.Length, split.TestRows.Length);
            if (hash == config.Hash())
                return new FullRunOutcome(folder, done, split.TrainRows.Length, split.TestRows.Length, split.Source, dimensions, true, clock.Elapsed);
        }
        var curves = Train(config, family, split, folder, request.CheckpointEvery, progress, cancellation);
        AtomicFile.WriteAllText(folder.CurvesCsvPath, FullRunFolder.CurvesCsv(curves, dimensions));
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
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        if (File.Exists(folder.ManifestPath))
        {
            var previous = JsonNode.Parse(File.ReadAllText(folder.ManifestPath));
            if (previous?["config_hash"]?.GetValue<string>() != config.Hash() || previous?["dataset_hash"]?.GetValue<string>() != dataHash)
                throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ManifestPath}: this folder holds a full run with other settings or data; choose a new --out");
            return;
        }
        AtomicFile.WriteAllText(folder.ManifestPath, manifest);
    }

    FullCurves Train(ExperimentConfig config, ModelFamily family, FullRunSplit split, FullRunFolder folder, int checkpointEvery,
        IProgress<TaskProgress>? progress, CancellationToken cancellation)
    {
        long Seed(string purpose, params long[] more) => SeedDeriver.Derive(config.Seed, "full-" + purpose, more);
        var task = new TaskId(0, 0);
        using var model = family.Create(config.ModelContextFor(split.Train.ImageShape, Seed("model-init")));
        using var trainImages = FullRunSplit.Rows(split.Train.Scored, split.TrainRows);   // stored form; batches are converted as they are read
        using var testImages = FullRunSplit.Rows(split.Test.Scored, split.TestRows);
        var batches = TrainingBatches.For(split.Train, config);
        var evaluationEpochs = config.EvaluationEpochs();
        var (trainLoss, trainEval, testEval) = (new List<double>(), new List<double>(), new List<double>());
        var (trainLogP, testLogP) = (new List<double[]>(), new List<double[]>());
        if (File.Exists(folder.CheckpointPath) && model is ICheckpointable resumable)
        {
            var (saved, hash, state) = FullRunFolder.Read(folder.CheckpointPath, split.TrainRows.Length, split.TestRows.Length);
            if (hash != config.Hash()) throw new MemScoreException(ErrorKind.RunFolder, $"{folder.CheckpointPath}: checkpoint of another config; delete it to start over");
            resumable.LoadState(state, folder.CheckpointPath);
            (trainLoss, trainEval, testEval) = ([.. saved.TrainLoss], [.. saved.TrainEvalLoss], [.. saved.TestEvalLoss]);
            (trainLogP, testLogP) = ([.. saved.TrainLogP], [.. saved.TestLogP]);
        }
        FullCurves Snapshot() => new([.. trainLoss], [.. trainEval], [.. testEval],
            evaluationEpochs.Where(e => e <= trainLoss.Count).ToArray(), [.. trainLogP], [.. testLogP]);

        for (int epoch = trainLoss.Count + 1; epoch <= config.Epochs; epoch++)
        {
            trainLoss.Add(EpochTrainer.Run(model, batches, split.TrainRows, config.BatchSize, Seed("batch-order", epoch), Seed("train-noise", epoch),
                Seed("train-augment", epoch), task, epoch, cancellation));
            trainEval.Add(MeanLoss(model, trainImages, config.EvalBatchSize, Seed("train-loss-noise", epoch), cancellation));
            testEval.Add(MeanLoss(model, testImages, config.EvalBatchSize, Seed("test-loss-noise", epoch), cancellation));
            progress?.Report(new TaskProgress(task, TaskPhase.Training, epoch, config.Epochs, epoch, config.Epochs, trainLoss[^1]));
            if (evaluationEpochs.Contains(epoch))
            {
                int e = epoch;
                trainLogP.Add(EpochTrainer.Evaluate(model, trainImages, config.EvalBatchSize, Seed("train-is-noise", epoch), task, epoch,
                    (done, total) => progress?.Report(new TaskProgress(task, TaskPhase.Evaluating, e, config.Epochs, done, total, null)), cancellation).LogP);
                testLogP.Add(EpochTrainer.Evaluate(model, testImages, config.EvalBatchSize, Seed("test-is-noise", epoch), task, epoch, null, cancellation).LogP);
            }
            if (model is ICheckpointable saveable && (epoch == config.Epochs || (checkpointEvery > 0 && epoch % checkpointEvery == 0)))
            {
                var arrays = new Dictionary<string, NpyArray>(FullRunFolder.ToArrays(Snapshot(), config.Hash()));
                foreach (var (key, value) in saveable.SaveState()) arrays[key] = value;
                string path = epoch == config.Epochs ? folder.ModelPath : folder.CheckpointPath;
                AtomicFile.Write(path, s => Npz.WriteTo(s, arrays));
                FaultInjection.Reached("checkpoint");
            }
        }
        return Snapshot();
    }


    /// <summary>Mean eval-mode loss per example: the model's training objective if it has one, else -log p(x).</summary>
    static double MeanLoss(IDensityModel model, Tensor images, int batchSize, long noiseSeed, CancellationToken cancellation)
    {
        using var noise = new Generator((ulong)noiseSeed);
        double total = 0;
        long n = images.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = ImageTransforms.AsIntensities(images.narrow(0, start, Math.Min(batchSize, n - start)));
            var loss = model is IEvaluationLoss evaluated ? evaluated.PerExampleLoss(batch, noise) : model.LogLikelihood(batch, noise).neg();
            total += loss.sum().item<double>();
        }
        return total / n;
    }
}
