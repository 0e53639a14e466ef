using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;

namespace MemScore.Execution;

/// <param name="CheckpointEvery">Save a running task's state every this many epochs (0 = never). Does not change results.</param>
/// <param name="Download">May the dataset provider fetch missing data from its public host into the cache?</param>
public sealed record RunRequest(ExperimentConfig Config, string OutputDirectory, string? CacheDirectory = null, int CheckpointEvery = 1, bool Download = false);

public sealed record RunOutcome(RunFolder Folder, RunManifest Manifest, Scores Scores, int TasksRun, int TasksReused, TimeSpan Elapsed);

/// <summary>
/// `memscore run` = plan + every unfinished task in this process (one at a time) + aggregation,
/// holding the run lock throughout. Rerunning on the same folder resumes: finished tasks with a
/// matching config hash are reused and a task with a checkpoint continues from it.
/// </summary>
public sealed class LocalExecutor(DatasetRegistry datasets, ModelRegistry models)
{
    public RunOutcome Run(RunRequest request, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        DenormalFlushing.SetForCurrentThread(true);
        var config = request.Config;
        int taskCount = config.Folds * config.Repeats;
        ConfigValidator.Validate(config, datasets, models);
        var folder = new RunFolder(request.OutputDirectory);
        folder.EnsureWritable();
        using var runLock = RunLock.Acquire(folder.Root);
        folder.DeleteLeftovers();
        progress?.Report(new RunProgress(RunStage.LoadingData, 0, taskCount));
        using var context = new RunPlanner(datasets, models).Plan(request);
        var executor = new TaskExecutor(context, models);
        progress?.Report(new RunProgress(RunStage.Planned, 0, taskCount));
        int run = 0, reused = 0;
        for (int i = 0; i < taskCount; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            var task = context.TaskAt(i);
            int done = i;
            if (!File.Exists(folder.TaskPath(task))) progress?.Report(new RunProgress(RunStage.TaskStarted, done, taskCount, task));
            var taskProgress = progress is null ? null
                : new SynchronousProgress<TaskProgress>(p => progress.Report(new RunProgress(RunStage.TaskUpdate, done, taskCount, task, p)));
            var clockTask = Stopwatch.StartNew();
            var outcome = executor.Execute(task, request.CheckpointEvery, taskProgress, cancellation);
            if (outcome == TaskOutcome.AlreadyDone) reused++; else run++;
            progress?.Report(new RunProgress(outcome == TaskOutcome.AlreadyDone ? RunStage.TaskReused : RunStage.TaskFinished,
                i + 1, taskCount, task, Seconds: clockTask.Elapsed.TotalSeconds));
        }
        progress?.Report(new RunProgress(RunStage.Aggregating, taskCount, taskCount));
        var scores = Aggregator.Aggregate(context, allowPartial: false).Scores;
        progress?.Report(new RunProgress(RunStage.Done, taskCount, taskCount));
        return new RunOutcome(folder, context.Manifest, scores, run, reused, clock.Elapsed);
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder events).</summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
