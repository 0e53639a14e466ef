using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;

namespace MemScore.Training;

/// <summary>
/// The rule for checkpoints that parse and belong to the run but hold values training cannot have produced
/// (NaN or infinite weights or Adam moments, negative second moments, an Adam step count other than the
/// batches of the completed epochs, out-of-range losses, log p(x) or ESS): they are deleted and named in a
/// warning, and training restarts from epoch 1. That is safe: every epoch's draws are seeded, so the result
/// equals an uninterrupted run's. Resuming from them would give other numbers or fail the same way on every rerun.
/// </summary>
internal static class DamagedCheckpoint
{
    /// <summary>The first impossible value, or null.</summary>
    /// <param name="stepsPerEpoch">Optimizer steps of one epoch, per member (<see cref="EpochTrainer.StepsPerEpoch"/>).</param>
    /// <param name="evaluatedRows">Rows holding log p(x) (--in-models); null = all.</param>
    public static string? Problem(IReadOnlyDictionary<string, NpyArray> state, long[] stepsPerEpoch, TrainingHistory history, int[]? evaluatedRows, int examples)
    {
        ArgumentNullException.ThrowIfNull(stepsPerEpoch);
        ArgumentNullException.ThrowIfNull(history);
        return ModuleCheckpoint.Problem(state, stepsPerEpoch.Select(s => s * history.CompletedEpochs).ToArray())
            ?? Enumerable.Range(0, history.Members)
                .Select(m => ResultValues.Problem(history.LogP(m), history.Ess(m), history.TrainLoss(m), evaluatedRows, examples))
                .FirstOrDefault(p => p is not null);
    }

    /// <summary>Deletes the checkpoint at <paramref name="path"/> and returns the warning naming it.</summary>
    public static string Discard(string path, string problem, string restarting)
    {
        File.Delete(path);
        return $"{path}: {problem}; checkpoint discarded, {restarting} from epoch 1";
    }
}

/// <summary>checkpoints/r{repeat}_f{fold}.npz of one task (<see cref="TaskCheckpointFile"/>).</summary>
/// <param name="stepsPerEpoch">Optimizer steps per epoch, to check the saved Adam step count.</param>
/// <param name="warn">Receives the warning when a damaged checkpoint is discarded (<see cref="DamagedCheckpoint"/>).</param>
internal sealed class TaskCheckpointStore(TaskCheckpointing where, TaskId task, string configHash, int[]? evaluatedRows, int examples,
    long stepsPerEpoch, Action<string>? warn = null) : ITrainingCheckpoint
{
    public int EveryEpochs => where.EveryEpochs;

    public TrainingHistory? Restore(ICheckpointable state, int epochs, IReadOnlyCollection<int> evaluationEpochs)
    {
        if (!File.Exists(where.Path)) return null;
        var saved = TaskCheckpointFile.Read(where.Path, examples);
        var history = new TrainingHistory([saved.TrainLoss], [saved.LogLikelihoods], [saved.EffectiveSampleSizes ?? []]);
        if (saved.Task != task || saved.ConfigHash != configHash || !history.ResumesWithin(epochs, evaluationEpochs)
            || !InModelSubset.SameRows(saved.Evaluated, evaluatedRows))
            throw new MemScoreException(ErrorKind.RunFolder, $"{where.Path}: checkpoint does not belong to {task} of this config; delete it to retrain the task");
        if (DamagedCheckpoint.Problem(saved.ModelState, [stepsPerEpoch], history, evaluatedRows, examples) is { } problem)
        {
            warn?.Invoke(DamagedCheckpoint.Discard(where.Path, problem, $"the task ({task}) restarts"));
            return null;
        }
        state.LoadState(saved.ModelState, where.Path);
        return history;
    }

    public void Save(ICheckpointable state, TrainingHistory history) =>
        TaskCheckpointFile.Write(where.Path, new TaskCheckpoint(task, configHash, history.CompletedEpochs, history.TrainLoss(0), history.LogP(0),
            state.SaveState(), history.Ess(0), evaluatedRows), examples);
}

/// <summary>checkpoints/r{repeat}_ensemble.npz of a fold ensemble (<see cref="EnsembleCheckpointFile"/>).</summary>
/// <param name="stepsPerEpoch">Optimizer steps per epoch of each member, to check the saved Adam step counts.</param>
/// <param name="warn">Receives the warning when a damaged checkpoint is discarded (<see cref="DamagedCheckpoint"/>).</param>
internal sealed class EnsembleCheckpointStore(TaskCheckpointing where, int repeat, int members, string configHash, int examples,
    long[] stepsPerEpoch, Action<string>? warn = null) : ITrainingCheckpoint
{
    public int EveryEpochs => where.EveryEpochs;

    public TrainingHistory? Restore(ICheckpointable state, int epochs, IReadOnlyCollection<int> evaluationEpochs)
    {
        if (!File.Exists(where.Path)) return null;
        var saved = EnsembleCheckpointFile.Read(where.Path, examples);
        var history = saved.Members == members
            ? new TrainingHistory(saved.TrainLoss, saved.LogLikelihoods, saved.EffectiveSampleSizes) : null;
        if (history is null || saved.Repeat != repeat || saved.ConfigHash != configHash || !history.ResumesWithin(epochs, evaluationEpochs))
            throw new MemScoreException(ErrorKind.RunFolder, $"{where.Path}: checkpoint does not belong to this ensemble of this config; delete it to retrain the repeat");
        if (DamagedCheckpoint.Problem(saved.ModelState, stepsPerEpoch, history, null, examples) is { } problem)
        {
            warn?.Invoke(DamagedCheckpoint.Discard(where.Path, problem, $"the fold ensemble of repeat {repeat} restarts"));
            return null;
        }
        state.LoadState(saved.ModelState, where.Path);
        return history;
    }

    public void Save(ICheckpointable state, TrainingHistory history)
    {
        var all = Enumerable.Range(0, history.Members).ToArray();
        EnsembleCheckpointFile.Write(where.Path, new EnsembleCheckpoint(repeat, configHash, history.CompletedEpochs,
            all.Select(history.TrainLoss).ToArray(), all.Select(history.LogP).ToArray(), all.Select(m => history.Ess(m) ?? []).ToArray(),
            state.SaveState()), examples);
    }
}
