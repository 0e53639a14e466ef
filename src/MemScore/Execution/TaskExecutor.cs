using System.Text.Json;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;

namespace MemScore.Execution;

internal enum TaskOutcome { AlreadyDone, Completed }

/// <summary>
/// Runs one task of an opened run and publishes its result atomically. Idempotent: a task whose
/// valid result exists returns at once. A per-task lock keeps two processes (say, a requeued
/// Slurm task and its predecessor) from computing the same task; a failure leaves a
/// tasks/r{repeat}_f{fold}.failed.json with the error (and <paramref name="schedulerJobId"/>, the Slurm job
/// the front end runs in, if any) for `memscore status`. With <paramref name="exportPyTorch"/> a
/// task writes its weights as a PyTorch state dict before its result (<see cref="PyTorchExport"/>).
/// </summary>
internal sealed class TaskExecutor(RunContext context, ModelRegistry models, string? schedulerJobId = null, bool exportPyTorch = false,
    EvaluationSharing? sharing = null)
{
    readonly TaskRunner _runner = new(context.Config, context.Data, context.Plan, models, sharing);

    public TaskOutcome Execute(TaskId task, int checkpointEvery, IProgress<TaskProgress>? progress = null, CancellationToken cancellation = default)
    {
        ExecutionRule.RequireCheckpointEvery(checkpointEvery);
        var folder = context.Folder;
        if (context.Config.FoldEnsembles)
            throw new InvalidConfigurationException($"{folder.ManifestPath}: fold-ensembles = true trains the {context.Plan.Folds} folds of a repeat together, " +
                "not one task at a time; run it with `memscore run --out " + folder.Root + "` and the flags that planned it (including --fold-ensembles)");
        if (context.LoadResult(task) is not null && !File.Exists(folder.CheckpointPath(task))) return TaskOutcome.AlreadyDone;
        using var taskLock = RunLock.AcquireFile(folder.TaskLockPath(task), $"{folder.Root} task {task.FileStem}");
        if (context.LoadResult(task) is not null)
        {
            // Died after publishing the result but before removing the checkpoint: remove it now.
            if (File.Exists(folder.CheckpointPath(task))) File.Delete(folder.CheckpointPath(task));
            return TaskOutcome.AlreadyDone;
        }
        try
        {
            FaultInjection.FailTaskIfRequested(RunContext.IndexOf(task, context.Plan.Folds));
            var checkpointing = checkpointEvery > 0 ? new TaskCheckpointing(folder.CheckpointPath(task), checkpointEvery) : null;
            var result = _runner.Run(task, checkpointing, progress, cancellation,
                exportPyTorch ? model => PyTorchExport.WriteTask(folder, task, model) : null);
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

    /// <summary>
    /// Trains the folds of one repeat as one ensemble (fold-ensembles) and publishes each member's result. The
    /// ensemble always holds all K folds of the repeat, so a member's numbers do not depend on which of its
    /// siblings had finished before a crash; results already on disk are kept. The ensemble's checkpoint
    /// (every <paramref name="checkpointEvery"/> epochs, 0 = never) lets a rerun continue where it stopped.
    /// </summary>
    public TaskOutcome ExecuteEnsemble(int repeat, int checkpointEvery, IProgress<TaskProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ExecutionRule.RequireCheckpointEvery(checkpointEvery);
        var folder = context.Folder;
        var group = Enumerable.Range(0, context.Plan.Folds).Select(f => new TaskId(repeat, f)).ToArray();
        string checkpoint = folder.EnsembleCheckpointPath(repeat);
        if (group.All(t => context.LoadResult(t) is not null) && !File.Exists(checkpoint)) return TaskOutcome.AlreadyDone;
        var locks = new List<IDisposable>();
        try
        {
            foreach (var t in group) locks.Add(RunLock.AcquireFile(folder.TaskLockPath(t), $"{folder.Root} task {t.FileStem}"));
            var pending = group.Where(t => context.LoadResult(t) is null).ToArray();
            if (pending.Length == 0)
            {
                // Died after writing the last result but before removing the checkpoint: remove it now.
                if (File.Exists(checkpoint)) File.Delete(checkpoint);
                return TaskOutcome.AlreadyDone;
            }
            try
            {
                FaultInjection.FailTaskIfRequested(RunContext.IndexOf(pending[0], context.Plan.Folds));
                var checkpointing = checkpointEvery > 0 ? new TaskCheckpointing(checkpoint, checkpointEvery) : null;
                foreach (var result in _runner.RunEnsemble(group, checkpointing, progress, cancellation).Where(r => pending.Contains(r.Task)))
                {
                    TaskResultFile.Write(folder.TaskPath(result.Task), result);
                    FaultInjection.Reached("task-saved");
                    if (File.Exists(folder.TaskFailurePath(result.Task))) File.Delete(folder.TaskFailurePath(result.Task));
                }
                if (File.Exists(checkpoint)) File.Delete(checkpoint);
                return TaskOutcome.Completed;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var t in pending) RecordFailure(t, e);
                throw;
            }
        }
        finally
        {
            foreach (var l in locks) l.Dispose();
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
                ["slurm_job"] = schedulerJobId ?? "",
                ["time_utc"] = DateTimeOffset.UtcNow.ToString("O"),
            };
            AtomicFile.WriteAllText(context.Folder.TaskFailurePath(task), JsonSerializer.Serialize(record));
        }
        catch (MemScoreException) { }   // the original error matters more than the record
    }
}
