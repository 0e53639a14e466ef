using MemScore.Memorization;
using MemScore.Training;

namespace MemScore.Execution;

public enum RunStage { LoadingData, Planned, TaskReused, TaskStarted, TaskUpdate, TaskFinished, Aggregating, Done }

/// <summary>A progress event of a whole run; <see cref="Update"/> is set for <see cref="RunStage.TaskUpdate"/>.</summary>
public sealed record RunProgress(RunStage Stage, int TasksDone, int TaskCount, TaskId? Task = null, TaskProgress? Update = null, double? Seconds = null);
