namespace MemScore.Api;

/// <summary>What <see cref="MemScoreJob.Run"/> did, and the scores it wrote.</summary>
/// <param name="Scores">The run's scores.csv, read back (<see cref="MemScoreJob.Open"/>).</param>
/// <param name="TasksRun">Tasks trained by this call.</param>
/// <param name="TasksReused">Tasks whose results were already in the folder (a resumed run).</param>
/// <param name="Elapsed">Wall time of the call.</param>
public sealed record JobResult(ScoreTable Scores, int TasksRun, int TasksReused, TimeSpan Elapsed)
{
    /// <summary>Absolute path of the run folder.</summary>
    public string RunFolder => Scores.RunFolder;
}

/// <summary>Options of <see cref="MemScoreJob.Report"/>.</summary>
/// <param name="FullRunFolder">A `memscore full` folder of the same data: adds the overfitting view and the sample-based tests.</param>
public sealed record JobReportOptions(string? FullRunFolder = null);

/// <summary>The report <see cref="MemScoreJob.Report"/> wrote.</summary>
/// <param name="IndexPath">RUN/report/index.html (opens offline).</param>
/// <param name="Figures">Figures drawn.</param>
/// <param name="Tiles">Image tiles written.</param>
public sealed record JobReport(string IndexPath, int Figures, int Tiles);
