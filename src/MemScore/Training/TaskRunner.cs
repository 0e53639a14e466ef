using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;

namespace MemScore.Training;

/// <summary>Where and how often a task (or fold ensemble) saves its state; null = never.</summary>
internal sealed record TaskCheckpointing(string Path, int EveryEpochs);

/// <summary>
/// Runs (repeat, fold) tasks through the one <see cref="TaskLoop"/>: a task trains a fresh model on D minus
/// its fold and evaluates log p(x) of every example at the evaluation epochs (with --in-models only of its
/// held-out fold and the examples that chose it, see <see cref="InModelSubset"/>); with fold-ensembles the
/// tasks of a repeat are members of one <see cref="MlpVaeEnsemble"/>. Every draw comes from the task's
/// <see cref="TaskSeeds"/>, so a result does not depend on which tasks ran before or beside it, nor on a
/// resume, and an ensemble member equals its separately trained task up to float round-off.
/// </summary>
/// <param name="sharing">Idle workers of the same process that may help with the log p(x) passes (null = none; values do not depend on it).</param>
internal sealed class TaskRunner(ExperimentConfig config, ExperimentData data, FoldPlan plan, ModelRegistry models, EvaluationSharing? sharing = null)
{
    readonly InModelSubset? _inModels = InModelSubset.For(config.InModels, plan, config.Seed);
    readonly SeedSchedule _seeds = new(config.Seed);

    /// <param name="trained">Called with the model after its last epoch, before the result is returned (e.g. to export its weights).</param>
    public TaskResult Run(TaskId task, TaskCheckpointing? checkpointing = null, IProgress<TaskProgress>? progress = null,
        CancellationToken cancellation = default, Action<IDensityModel>? trained = null)
    {
        var clock = Stopwatch.StartNew();
        var seeds = _seeds.Task(task.Repeat, task.Fold);
        int[]? evaluatedRows = _inModels?.RowsToEvaluate(task);
        using var model = models.Get(config.Model).Create(config.ModelContextFor(data.ImageShape, seeds.ModelInit));
        var unit = new SingleModelUnit(model, config, TrainingBatches.For(data, config), plan.TrainingExamples(task), data.Scored, evaluatedRows,
            seeds, task.ToString(), sharing);
        var report = Report([task], progress);
        var checkpoint = checkpointing is null ? null : new TaskCheckpointStore(checkpointing, task, config.Hash(), evaluatedRows, data.Count,
            EpochTrainer.StepsPerEpoch(plan.TrainingExamples(task).Length, config.BatchSize), Warn(report));
        var history = TaskLoop.Run(unit, config.Epochs, config.EvaluationEpochs(), checkpoint, report, cancellation);
        trained?.Invoke(model);
        return Result(task, history, 0, clock.Elapsed.TotalSeconds, evaluatedRows);
    }

    /// <summary>
    /// Trains <paramref name="tasks"/> as the members of one ensemble (Bernoulli MLP VAE only). With checkpointing the whole
    /// ensemble's state is saved every few epochs, so members never stand at different epochs.
    /// </summary>
    public IReadOnlyList<TaskResult> RunEnsemble(IReadOnlyList<TaskId> tasks, TaskCheckpointing? checkpointing = null,
        IProgress<TaskProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0) throw new ArgumentException("no tasks to train", nameof(tasks));
        if (!EnsembleTrainer.Supports(config)) throw new InvalidConfigurationException($"model = {config.Model}: ensembles train only {BernoulliMlpVae.FamilyName}");
        if (tasks.Distinct().Count() != tasks.Count) throw new ArgumentException("a task appears twice", nameof(tasks));
        var clock = Stopwatch.StartNew();
        var seeds = tasks.Select(t => _seeds.Task(t.Repeat, t.Fold)).ToArray();
        long inputSize = data.ImageShape.Aggregate(1L, (a, b) => a * b);
        using var ensemble = new MlpVaeEnsemble(new BernoulliMlpVaeOptions(config.LatentDim), inputSize, seeds.Select(s => s.ModelInit).ToArray(),
            config.LearningRate, config.ImportanceSamples, ComputeDevice.Resolve(config.Device), weightDecay: config.WeightDecay);
        var unit = new FoldEnsembleUnit(ensemble, config, TrainingBatches.For(data, config), tasks.Select(plan.TrainingExamples).ToArray(), data.Scored,
            seeds, tasks.Select(t => t.ToString()).ToArray());
        var report = Report(tasks, progress);
        var checkpoint = checkpointing is null ? null : new EnsembleCheckpointStore(checkpointing, tasks[0].Repeat, tasks.Count, config.Hash(), data.Count,
            tasks.Select(t => EpochTrainer.StepsPerEpoch(plan.TrainingExamples(t).Length, config.BatchSize)).ToArray(), Warn(report));
        var history = TaskLoop.Run(unit, config.Epochs, config.EvaluationEpochs(), checkpoint, report, cancellation);
        double seconds = clock.Elapsed.TotalSeconds / tasks.Count;   // the ensemble's time, shared equally
        return tasks.Select((task, m) => Result(task, history, m, seconds, null)).ToArray();
    }

    TaskResult Result(TaskId task, TrainingHistory history, int member, double seconds, int[]? evaluatedRows) =>
        new(task, config.Hash(), config.EvaluationEpochs(), history.LogP(member), plan.HeldOut(task), history.TrainLoss(member), seconds,
            history.Ess(member), evaluatedRows);

    static Action<TrainingProgress>? Report(IReadOnlyList<TaskId> tasks, IProgress<TaskProgress>? progress) =>
        progress is null ? null : p => progress.Report(TaskProgress.Of(tasks[p.Member], p));

    Action<string>? Warn(Action<TrainingProgress>? report) => report is null ? null : note => report(TrainingProgress.Warn(config.Epochs, note));
}
