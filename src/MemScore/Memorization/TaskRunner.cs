using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Memorization;

/// <summary>Where and how often a task saves its state; null = never.</summary>
public sealed record TaskCheckpointing(string Path, int EveryEpochs);

/// <summary>
/// Runs one (repeat, fold) task: trains a fresh model on D minus the fold and evaluates log p(x)
/// of every example at the evaluation epochs (with --in-models only of its held-out fold and the
/// examples that chose it as an in-model, see <see cref="InModelSubset"/>). Every random draw
/// comes from a generator seeded by (root seed, purpose, repeat, fold[, epoch]), so a task's
/// result does not depend on which other tasks ran before it, in this process or another, nor on
/// whether it resumed from a checkpoint.
/// </summary>
public sealed class TaskRunner(ExperimentConfig config, ExperimentData data, FoldPlan plan, ModelRegistry models)
{
    readonly InModelSubset? _inModels = InModelSubset.For(config.InModels, plan, config.Seed);

    public TaskResult Run(TaskId task, TaskCheckpointing? checkpointing = null, IProgress<TaskProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        long Seed(string purpose, params long[] more) =>
            SeedDeriver.Derive(config.Seed, purpose, [task.Repeat, task.Fold, .. more]);

        int[] trainRows = plan.TrainingExamples(task);
        int[]? evaluatedRows = _inModels?.RowsToEvaluate(task);
        var batches = TrainingBatches.For(data, config);

        var context = config.ModelContextFor(data.ImageShape, Seed("model-init"));
        using var model = models.Get(config.Model).Create(context);
        var evaluationEpochs = config.EvaluationEpochs();
        var logLikelihoods = new List<double[]>();
        var effectiveSampleSizes = new List<double[]>();
        var losses = new double[config.Epochs];
        int firstEpoch = 1;
        if (checkpointing is not null && model is ICheckpointable resumable && File.Exists(checkpointing.Path))
        {
            var checkpoint = TaskCheckpointFile.Read(checkpointing.Path, data.Count);
            if (checkpoint.Task != task || checkpoint.ConfigHash != config.Hash() || checkpoint.CompletedEpochs >= config.Epochs
                || checkpoint.LogLikelihoods.Length != evaluationEpochs.Count(e => e <= checkpoint.CompletedEpochs)
                || !InModelSubset.SameRows(checkpoint.Evaluated, evaluatedRows))
                throw new MemScoreException(ErrorKind.RunFolder, $"{checkpointing.Path}: checkpoint does not belong to {task} of this config; delete it to retrain the task");
            resumable.LoadState(checkpoint.ModelState, checkpointing.Path);
            checkpoint.TrainLoss.CopyTo(losses, 0);
            logLikelihoods.AddRange(checkpoint.LogLikelihoods);
            if (checkpoint.EffectiveSampleSizes is { } ess) effectiveSampleSizes.AddRange(ess);
            firstEpoch = checkpoint.CompletedEpochs + 1;
        }

        for (int epoch = firstEpoch; epoch <= config.Epochs; epoch++)
        {
            losses[epoch - 1] = EpochTrainer.Run(model, batches, trainRows, config.BatchSize, Seed("batch-order", epoch), Seed("train-noise", epoch),
                Seed("train-augment", epoch), task, epoch, cancellation);
            progress?.Report(new TaskProgress(task, TaskPhase.Training, epoch, config.Epochs, epoch, config.Epochs, losses[epoch - 1]));
            if (evaluationEpochs.Contains(epoch))
            {
                int e = epoch;
                var (logp, ess) = EpochTrainer.Evaluate(model, data.Scored, config.EvalBatchSize, Seed("is-noise", epoch), task, epoch,
                    (done, total) => progress?.Report(new TaskProgress(task, TaskPhase.Evaluating, e, config.Epochs, done, total, null)),
                    cancellation, evaluatedRows);
                logLikelihoods.Add(logp);
                if (ess is not null) effectiveSampleSizes.Add(ess);
            }
            if (checkpointing is not null && model is ICheckpointable saveable && epoch < config.Epochs && epoch % checkpointing.EveryEpochs == 0)
            {
                TaskCheckpointFile.Write(checkpointing.Path,
                    new TaskCheckpoint(task, config.Hash(), epoch, losses[..epoch], logLikelihoods.ToArray(), saveable.SaveState(),
                        effectiveSampleSizes.Count > 0 ? effectiveSampleSizes.ToArray() : null, evaluatedRows), data.Count);
                FaultInjection.Reached("checkpoint");
            }
        }
        var essRows = effectiveSampleSizes.Count == logLikelihoods.Count && effectiveSampleSizes.Count > 0 ? effectiveSampleSizes.ToArray() : null;
        return new TaskResult(task, config.Hash(), evaluationEpochs, logLikelihoods.ToArray(), plan.HeldOut(task), losses, clock.Elapsed.TotalSeconds,
            essRows, evaluatedRows);
    }
}
