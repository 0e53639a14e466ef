using MemScore.Core;

namespace MemScore.Training;

/// <summary>
/// The one training loop of single tasks, fold ensembles and `memscore full`: continue from the
/// checkpoint when there is one, then per epoch train every member, evaluate at the evaluation
/// epochs and save a checkpoint every few epochs. Nothing is saved after the last epoch: the
/// caller publishes the finished result and removes the checkpoint.
/// </summary>
internal static class TaskLoop
{
    public static TrainingHistory Run(ITrainingUnit unit, int epochs, IReadOnlyCollection<int> evaluationEpochs, ITrainingCheckpoint? checkpoint,
        Action<TrainingProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(evaluationEpochs);
        var state = unit.State;
        var history = (state is null ? null : checkpoint?.Restore(state, epochs, evaluationEpochs)) ?? new TrainingHistory(unit.Members);
        for (int epoch = history.CompletedEpochs + 1; epoch <= epochs; epoch++)
        {
            var losses = unit.TrainEpoch(epoch, cancellation);
            history.AddEpoch(losses);
            for (int m = 0; m < unit.Members; m++) progress?.Invoke(new TrainingProgress(m, TaskPhase.Training, epoch, epochs, epoch, epochs, losses[m]));
            if (evaluationEpochs.Contains(epoch))
            {
                int e = epoch;
                history.AddEvaluation(unit.Evaluate(epoch,
                    progress is null ? null : (m, done, total) => progress(new TrainingProgress(m, TaskPhase.Evaluating, e, epochs, done, total, null)), cancellation));
            }
            if (state is not null && checkpoint is { EveryEpochs: > 0 } && epoch < epochs && epoch % checkpoint.EveryEpochs == 0)
            {
                checkpoint.Save(state, history);
                FaultInjection.Reached("checkpoint");
            }
        }
        return history;
    }
}
