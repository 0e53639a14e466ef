using MemScore.Configuration;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Reporting;
using MemScore.Storage;

namespace MemScore.Api;

/// <summary>
/// The library's entry point: run a memorization job, read its scores, write its report. A job trains
/// L x K fold models (config.Repeats x config.Folds), estimates log p(x) of every example under each, and scores
/// each example by M = U - V (METHOD.md). Results go to a run folder; calling <see cref="Run"/> again on the same
/// folder and config resumes it. Errors are <see cref="Core.MemScoreException"/>s whose message names the field,
/// file or value at fault; nothing is written before the config and the data have been checked.
/// </summary>
public static class MemScoreJob
{
    /// <summary>Trains every unfinished task of <paramref name="config"/> in <paramref name="runFolder"/> and writes the scores.</summary>
    /// <param name="config">What to compute; its hash names the results. Same config and threads on CPU: bit-identical scores.</param>
    /// <param name="runFolder">Created if missing; a folder made with another config is refused.</param>
    /// <param name="options">Data locations and parallelism (null = defaults); they do not change the scores.</param>
    /// <param name="progress">Receives one event at a time; null = none.</param>
    /// <param name="cancellation">Stops between training steps; finished tasks stay and a later call resumes.</param>
    public static JobResult Run(ExperimentConfig config, string runFolder, JobOptions? options = null,
        IProgress<JobProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        options ??= new JobOptions();
        var models = options.Models ?? ModelRegistry.CreateDefault();
        var request = new RunRequest(models.Resolve(config), runFolder, options.CacheDirectory, options.CheckpointEvery, options.Download, options.Workers);
        var runProgress = progress is null ? null : new SynchronousProgress<RunProgress>(p => progress.Report(JobProgress.From(p)));
        var outcome = new LocalExecutor(Datasets(options), models).Run(request, runProgress, cancellation);
        return new JobResult(Open(outcome.Folder.Root), outcome.TasksRun, outcome.TasksReused, outcome.Elapsed);
    }

    /// <summary>The scores of a finished run (its scores.csv), without loading data or models.</summary>
    /// <param name="runFolder">A folder written by <see cref="Run"/> or `memscore run`/`aggregate`.</param>
    public static ScoreTable Open(string runFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        return ScoreTableReader.Read(new RunFolder(runFolder));
    }

    /// <summary>Writes RUN/report/index.html with figures, image grids and the example explorer from the run's task results.</summary>
    /// <param name="runFolder">A finished run folder.</param>
    /// <param name="report">What to add to the report (null = the run alone).</param>
    /// <param name="options">Where the run's data are found (null = where the run recorded them); image tiles need them.</param>
    public static JobReport Report(string runFolder, JobReportOptions? report = null, JobOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        options ??= new JobOptions();
        var datasets = Datasets(options);
        using var run = RunContext.Open(runFolder, datasets, options.CacheDirectory);
        OutputFolder.RefuseInsideData(Path.Combine(run.Folder.Root, "report"), run.Config.DataDir);
        ReportReadiness.Check(run, report?.FullRunFolder);
        var outcome = ReportBuilder.Build(run, new ReportOptions(report?.FullRunFolder, options.Models, datasets, options.CacheDirectory));
        return new JobReport(outcome.IndexPath, outcome.Figures, outcome.Tiles);
    }

    static DatasetRegistry Datasets(JobOptions options) =>
        DatasetRegistry.CreateDefault(new DatasetLocations(options.CacheDirectory, options.DownloadMirror));
}
