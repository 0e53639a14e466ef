using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;

namespace MemScore.Training;

/// <summary>checkpoints/r{repeat}_f{fold}.npz of one task (<see cref="TaskCheckpointFile"/>).</summary>
public sealed class TaskCheckpointStore(TaskCheckpointing where, TaskId task, string configHash, int[]? evaluatedRows, int examples) : ITrainingCheckpoint
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
        state.LoadState(saved.ModelState, where.Path);
        return history;
    }

    public void Save(ICheckpointable state, TrainingHistory history) =>
        TaskCheckpointFile.Write(where.Path, new TaskCheckpoint(task, configHash, history.CompletedEpochs, history.TrainLoss(0), history.LogP(0),
            state.SaveState(), history.Ess(0), evaluatedRows), examples);
}

/// <summary>checkpoints/r{repeat}_ensemble.npz of a fold ensemble (<see cref="EnsembleCheckpointFile"/>).</summary>
public sealed class EnsembleCheckpointStore(TaskCheckpointing where, int repeat, int members, string configHash, int examples) : ITrainingCheckpoint
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
