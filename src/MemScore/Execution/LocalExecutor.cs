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
/// <param name="Workers">Tasks (or fold ensembles) trained at once in this process, each on config.Threads threads; null =
/// <see cref="ExecutionRule.DefaultWorkers"/>. Does not change results.</param>
/// <param name="Estimator">How the scores pool the in-values (aggregation only: task files and the config hash do not depend on it).</param>
/// <param name="Target">--target-reliability / --max-repeats (recorded in target.json; null = the one recorded, if any). Not in the config hash.</param>
/// <param name="ExportPyTorch">Each task also writes its weights as tasks/r{repeat}_f{fold}.pt (<see cref="PyTorchExport"/>). Not in the config hash.</param>
internal sealed record RunRequest(ExperimentConfig Config, string OutputDirectory, string? CacheDirectory = null, int CheckpointEvery = 1,
    bool Download = false, int? Workers = null, Analysis.EstimatorKind Estimator = Analysis.EstimatorKind.Paper, RepeatTarget? Target = null,
    bool ExportPyTorch = false);

/// <param name="TasksSkipped">Tasks of repeats past the stop of a target reliability (not trained, or cancelled).</param>
/// <param name="Target">Where the target reliability stands (null for a plain run).</param>
internal sealed record RunOutcome(RunFolder Folder, RunManifest Manifest, Scores Scores, int TasksRun, int TasksReused, TimeSpan Elapsed, int Workers = 1,
    int TasksSkipped = 0, TargetProgress? Target = null);

/// <summary>
/// `memscore run` = plan + every unfinished task in this process + aggregation, holding the run
/// lock throughout. Work units are single tasks, or with fold-ensembles the K tasks of a repeat;
/// <see cref="RunRequest.Workers"/> of them run at once. Rerunning on the same folder resumes:
/// finished tasks with a matching config hash are reused and a task with a checkpoint continues from it.
/// With a target reliability (<see cref="RepeatTarget"/>) units run repeat by repeat and those of repeats
/// past the stop are skipped; the scores rest on the repeats before the stop.
/// </summary>
internal sealed class LocalExecutor(DatasetRegistry datasets, ModelRegistry models)
{
    public RunOutcome Run(RunRequest request, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        DenormalFlushing.SetForCurrentThread(true);
        var config = request.Config;
        int taskCount = config.Folds * config.Repeats;
        ConfigValidator.Validate(config, datasets, models);
        if (request.ExportPyTorch) PyTorchExport.RequireExportable(config, models);
        int workers = ExecutionRule.Workers(config, request.Workers);
        OutputFolder.RefuseInsideData(request.OutputDirectory, config.DataDir);
        var folder = new RunFolder(request.OutputDirectory);
        folder.EnsureWritable();
        using var runLock = RunLock.Acquire(folder.Root);
        folder.DeleteLeftovers();
        // Several workers report at once: each event is made and delivered under one lock, so the
        // caller sees one at a time and the finished count never steps back.
        var gate = new object();
        int run = 0, reused = 0, skipped = 0, done = 0;
        void Report(Func<int, RunProgress> make, bool finishesTask = false)
        {
            if (progress is null) return;
            lock (gate) progress.Report(make(finishesTask ? ++done : done));
        }
        Report(d => new RunProgress(RunStage.LoadingData, d, taskCount));
        using var context = new RunPlanner(datasets, models).Plan(request with { Workers = workers });   // the sanity pass checks memory for these workers
        if (request.ExportPyTorch) PyTorchExport.RequireNoUnexportedTasks(context);
        // Several workers: one that has no task left scores batches of the others' log p(x) passes (same values).
        var sharing = workers > 1 && !config.FoldEnsembles ? new EvaluationSharing(workers) : null;
        var executor = new TaskExecutor(context, models, exportPyTorch: request.ExportPyTorch, sharing: sharing);
        var target = request.Target ?? RepeatTarget.Read(folder);
        target?.RequireCompatible(config);
        var tracker = target is null ? null : new TargetTracker(context, target);
        var units = WorkUnits(context);
        Report(d => new RunProgress(RunStage.Planned, d, taskCount));
        void RunUnit(int u, CancellationToken token)
        {
            var tasks = units[u];
            int repeat = tasks[0].Repeat;
            using var unitStop = tracker?.Started(repeat, token);
            try
            {
                if (tracker is not null && !tracker.Needs(repeat)) { Skip(tasks); return; }
                TrainUnit(tasks, unitStop?.Token ?? token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested && tracker is not null && !tracker.Needs(repeat))
            {
                Skip(tasks);   // the target was reached while this unit trained
                return;
            }
            finally
            {
                if (unitStop is not null) tracker!.Ended(unitStop);
            }
            tracker?.Update();
        }
        void Skip(IReadOnlyList<TaskId> tasks)
        {
            Interlocked.Add(ref skipped, tasks.Count);
            foreach (var t in tasks) Report(d => new RunProgress(RunStage.TaskSkipped, d, taskCount, t), finishesTask: true);
        }
        void TrainUnit(IReadOnlyList<TaskId> tasks, CancellationToken token)
        {
            foreach (var t in tasks.Where(t => !File.Exists(folder.TaskPath(t)))) Report(d => new RunProgress(RunStage.TaskStarted, d, taskCount, t));
            var taskProgress = progress is null ? null
                : new SynchronousProgress<TaskProgress>(p => Report(d => new RunProgress(RunStage.TaskUpdate, d, taskCount, p.Task, p)));
            var clockUnit = Stopwatch.StartNew();
            var outcome = config.FoldEnsembles
                ? executor.ExecuteEnsemble(tasks[0].Repeat, request.CheckpointEvery, taskProgress, token)
                : executor.Execute(tasks[0], request.CheckpointEvery, taskProgress, token);
            if (outcome == TaskOutcome.AlreadyDone) Interlocked.Add(ref reused, tasks.Count);
            else Interlocked.Add(ref run, tasks.Count);
            foreach (var t in tasks)
                Report(d => new RunProgress(outcome == TaskOutcome.AlreadyDone ? RunStage.TaskReused : RunStage.TaskFinished,
                    d, taskCount, t, Seconds: clockUnit.Elapsed.TotalSeconds), finishesTask: true);
        }
        if (workers == 1)
            for (int u = 0; u < units.Count; u++) { cancellation.ThrowIfCancellationRequested(); RunUnit(u, cancellation); }
        else
            WorkerPool.Run(units.Count, workers, config.Threads, RunUnit, cancellation, sharing is null ? null : sharing.HelpUntilAllIdle);
        Report(_ => new RunProgress(RunStage.Aggregating, taskCount, taskCount));
        var aggregate = Aggregator.Aggregate(context, allowPartial: false, request.Estimator, tracker?.Progress);
        Report(_ => new RunProgress(RunStage.Done, taskCount, taskCount));
        return new RunOutcome(folder, context.Manifest, aggregate.Scores, run, reused, clock.Elapsed, workers, skipped, aggregate.Target);
    }

    /// <summary>Single tasks in plan order, or with fold-ensembles one unit per repeat holding its K folds.</summary>
    static List<IReadOnlyList<TaskId>> WorkUnits(RunContext context)
    {
        var tasks = Enumerable.Range(0, context.TaskCount).Select(context.TaskAt).ToList();
        return context.Config.FoldEnsembles
            ? tasks.GroupBy(t => t.Repeat).Select(g => (IReadOnlyList<TaskId>)g.ToArray()).ToList()
            : tasks.Select(t => (IReadOnlyList<TaskId>)[t]).ToList();
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder events).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
