using System.Text.Json;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;

namespace MemScore.Execution;

public enum TaskOutcome { AlreadyDone, Completed }

/// <summary>
/// Runs one task of an opened run and publishes its result atomically. Idempotent: a task whose
/// valid result exists returns at once. A per-task lock keeps two processes (say, a requeued
/// Slurm task and its predecessor) from computing the same task; a failure leaves a
/// tasks/r{repeat}_f{fold}.failed.json with the error for `memscore status`.
/// </summary>
public sealed class TaskExecutor(RunContext context, ModelRegistry models)
{
    readonly TaskRunner _runner = new(context.Config, context.Data, context.Plan, models);

    public TaskOutcome Execute(TaskId task, int checkpointEvery, IProgress<TaskProgress>? progress = null, CancellationToken cancellation = default)
    {
        var folder = context.Folder;
        if (context.LoadResult(task) is not null) return TaskOutcome.AlreadyDone;
        using var taskLock = RunLock.AcquireFile(folder.TaskLockPath(task), $"{folder.Root} task {task.FileStem}");
        if (context.LoadResult(task) is not null) return TaskOutcome.AlreadyDone;
        try
        {
            FaultInjection.FailTaskIfRequested(RunContext.IndexOf(task, context.Plan.Folds));
            var checkpointing = checkpointEvery > 0 ? new TaskCheckpointing(folder.CheckpointPath(task), checkpointEvery) : null;
            var result = _runner.Run(task, checkpointing, progress, cancellation);
            TaskResultFile.Write(folder.TaskPath(task), result);
            FaultInjection.Reached("task-saved");
            if (File.Exists(folder.CheckpointPath(task))) File.Delete(folder.CheckpointPath(task));
            if (File.Exists(folder.TaskFailurePath(task))) File.Delete(folder.TaskFailurePath(task));
            return TaskOutcome.Completed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecordFailure(task, e);
            throw;
        }
    }

    void RecordFailure(TaskId task, Exception e)
    {
        try
        {
            var record = new Dictionary<string, string>
            {
                ["task"] = task.FileStem,
                ["error"] = e.Message,
                ["type"] = e.GetType().Name,
                ["host"] = Environment.MachineName,
                ["pid"] = Environment.ProcessId.ToString(),
                ["slurm_job"] = Environment.GetEnvironmentVariable("SLURM_JOB_ID") ?? "",
                ["time_utc"] = DateTimeOffset.UtcNow.ToString("O"),
            };
            AtomicFile.WriteAllText(context.Folder.TaskFailurePath(task), JsonSerializer.Serialize(record));
        }
        catch (MemScoreException) { }   // the original error matters more than the record
    }
}
