using MemScore.Execution;

namespace MemScore.Api;

/// <summary>What a job is doing, in the order it happens.</summary>
public enum JobStage { LoadingData, Planned, TaskStarted, TaskUpdate, TaskFinished, TaskReused, TaskSkipped, Aggregating, Done }

/// <summary>
/// A progress event of <see cref="MemScoreJob.Run"/>, delivered one at a time on the thread that trains.
/// Repeat, Fold and the epoch fields are set for task events; Loss after a training epoch.
/// </summary>
public sealed record JobProgress(JobStage Stage, int TasksDone, int TaskCount, int? Repeat = null, int? Fold = null,
    int? Epoch = null, int? Epochs = null, double? Loss = null)
{
    internal static JobProgress From(RunProgress p) => new(StageOf(p.Stage), p.TasksDone, p.TaskCount, p.Task?.Repeat, p.Task?.Fold,
        p.Update?.Epoch, p.Update?.Epochs, p.Update?.Loss);

    static JobStage StageOf(RunStage stage) => stage switch
    {
        RunStage.LoadingData => JobStage.LoadingData,
        RunStage.Planned => JobStage.Planned,
        RunStage.TaskStarted => JobStage.TaskStarted,
        RunStage.TaskUpdate => JobStage.TaskUpdate,
        RunStage.TaskFinished => JobStage.TaskFinished,
        RunStage.TaskReused => JobStage.TaskReused,
        RunStage.TaskSkipped => JobStage.TaskSkipped,
        RunStage.Aggregating => JobStage.Aggregating,
        RunStage.Done => JobStage.Done,
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "a run stage without a job stage"),
    };
}
