using MemScore.Memorization;
using MemScore.Training;

namespace MemScore.Execution;

internal enum RunStage { LoadingData, Planned, TaskReused, TaskStarted, TaskUpdate, TaskFinished, Aggregating, Done, TaskSkipped }

/// <summary>A progress event of a whole run; <see cref="Update"/> is set for <see cref="RunStage.TaskUpdate"/>.
/// <see cref="RunStage.TaskSkipped"/>: a task of a repeat past the stop of a target reliability.</summary>
internal sealed record RunProgress(RunStage Stage, int TasksDone, int TaskCount, TaskId? Task = null, TaskProgress? Update = null, double? Seconds = null);
