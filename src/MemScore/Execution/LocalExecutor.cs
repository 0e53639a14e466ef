using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <param name="CheckpointEvery">Save a running task's state every this many epochs (0 = never). Does not change results.</param>
public sealed record RunRequest(ExperimentConfig Config, string OutputDirectory, string? CacheDirectory = null, int CheckpointEvery = 1);

public sealed record RunOutcome(RunFolder Folder, RunManifest Manifest, Scores Scores, int TasksRun, int TasksReused, TimeSpan Elapsed);

/// <summary>
/// Runs a whole experiment in this process: validate, load data, write run.json, run every task
/// whose result is missing (one at a time), aggregate, write scores. Rerunning on the same folder
/// resumes: finished tasks with a matching config hash are reused, so the result is identical.
/// </summary>
public sealed class LocalExecutor(DatasetRegistry datasets, ModelRegistry models)
{
    public RunOutcome Run(RunRequest request, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var config = request.Config;
        ConfigValidator.Validate(config, datasets, models);
        if (request.CheckpointEvery < 0)
            throw new InvalidConfigurationException($"checkpoint-every = {request.CheckpointEvery}: expected an integer >= 0");
        var folder = new RunFolder(request.OutputDirectory);
        var previous = File.Exists(folder.ManifestPath) ? RunManifest.Read(folder.ManifestPath) : null;
        if (previous is not null) RefuseDifferentConfig(folder, previous, config);
        folder.EnsureWritable();
        using var runLock = RunLock.Acquire(folder.Root);
        folder.DeleteLeftovers();
        DenormalFlushing.SetForCurrentThread(true);
        set_num_threads(config.Threads);

        int taskCount = config.Folds * config.Repeats;
        progress?.Report(new RunProgress(RunStage.LoadingData, 0, taskCount));
        using var data = ExperimentData.Prepare(config, datasets, request.CacheDirectory ?? DatasetRequest.DefaultCacheDirectory());
        var manifest = previous ?? RunManifest.Create(config, data.ContentHash, data.Count, data.ImageShape);
        if (manifest.DatasetHash != data.ContentHash)
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{folder.ManifestPath}: the run was made on different data (dataset hash {manifest.DatasetHash}, now {data.ContentHash}); use a new --out");
        if (previous is null) AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());

        var plan = new FoldPlan(data.Count, config.Folds, config.Repeats, config.Seed);
        var runner = new TaskRunner(config, data, plan, models);
        var accumulator = new ScoreAccumulator(data.Count, config.EvaluationEpochs());
        progress?.Report(new RunProgress(RunStage.Planned, 0, taskCount));
        int done = 0, run = 0, reused = 0;
        foreach (var task in plan.Tasks())
        {
            cancellation.ThrowIfCancellationRequested();
            string path = folder.TaskPath(task);
            TaskResult result;
            if (File.Exists(path))
            {
                result = LoadFinished(path, task, config, plan);
                reused++;
                progress?.Report(new RunProgress(RunStage.TaskReused, ++done, taskCount, task));
            }
            else
            {
                progress?.Report(new RunProgress(RunStage.TaskStarted, done, taskCount, task));
                var taskProgress = progress is null ? null
                    : new SynchronousProgress<Training.TaskProgress>(p => progress.Report(new RunProgress(RunStage.TaskUpdate, done, taskCount, task, p)));
                var checkpointing = request.CheckpointEvery > 0 ? new TaskCheckpointing(folder.CheckpointPath(task), request.CheckpointEvery) : null;
                result = runner.Run(task, checkpointing, taskProgress, cancellation);
                TaskResultFile.Write(path, result);
                FaultInjection.Reached("task-saved");
                if (File.Exists(folder.CheckpointPath(task))) File.Delete(folder.CheckpointPath(task));
                run++;
                progress?.Report(new RunProgress(RunStage.TaskFinished, ++done, taskCount, task, Seconds: result.Seconds));
            }
            accumulator.Add(result);
        }
        progress?.Report(new RunProgress(RunStage.Aggregating, done, taskCount));
        var scores = accumulator.ToScores(data.Labels, data.SourceIndices);
        FaultInjection.Reached("aggregation");
        ScoreFiles.WriteAll(folder, scores);
        progress?.Report(new RunProgress(RunStage.Done, done, taskCount));
        return new RunOutcome(folder, manifest, scores, run, reused, clock.Elapsed);
    }

    static void RefuseDifferentConfig(RunFolder folder, RunManifest previous, ExperimentConfig config)
    {
        if (previous.ConfigHash == config.Hash()) return;
        var changes = config.DiffAgainst(previous.Config);
        throw new MemScoreException(ErrorKind.RunFolder,
            $"{folder.ManifestPath}: this run folder was made with a different config ({string.Join("; ", changes)}); " +
            "rerun with the same settings to resume, or choose a new --out");
    }

    static TaskResult LoadFinished(string path, TaskId task, ExperimentConfig config, FoldPlan plan)
    {
        var result = TaskResultFile.Read(path);
        if (result.ConfigHash != config.Hash())
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result belongs to config {result.ConfigHash}, this run is {config.Hash()}; delete it or use a new --out");
        if (result.Task != task || !result.HeldOut.SequenceEqual(plan.HeldOut(task)))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result is for {result.Task} with another fold split; delete it or use a new --out");
        if (result.LogLikelihoods.Any(row => row.Length != plan.Count))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result has values for a different number of examples than {plan.Count}");
        return result;
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder events).</summary>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
