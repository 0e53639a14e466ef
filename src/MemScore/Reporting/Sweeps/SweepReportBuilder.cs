using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Reporting.Figures;
using MemScore.Storage;

namespace MemScore.Reporting.Sweeps;

internal sealed record SweepReportOutcome(string IndexPath, int Points, int Comparisons);

/// <summary>
/// SWEEP/report/index.html: the memorization-utility frontier (upper quantiles of M and the count memorized
/// at FDR 10% against the full model's held-out log p(x)), a table of the points with links to their
/// reports, and for every point the per-example comparison with the first point (<see cref="ComparisonBuilder"/>).
/// </summary>
internal static class SweepReportBuilder
{
    public static SweepReportOutcome Build(SweepFolder folder, DatasetRegistry datasets, string? cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var manifest = folder.Read();
        var rows = SweepResults.Read(folder, manifest.Points);
        if (rows.Count == 0) throw new MemScoreException(ErrorKind.RunFolder, $"{folder.Root}: no point has finished (scores.csv and full.npz); run the sweep first");
        string directory = folder.ReportDirectory;
        Directory.CreateDirectory(Path.Combine(directory, "figures"));
        var page = new ReportPage(directory);
        page.Begin("Sweep: memorization against model quality");
        SweepPage.Lead(page, manifest, rows, manifest.Points.Count);
        page.Html.Append("<div class=\"charts\">");
        FrontierFigures.Quantiles(page, rows);
        FrontierFigures.Significant(page, rows);
        page.Html.Append("</div>");
        int comparisons = Compare(folder, rows, datasets, cacheDirectory);
        SweepPage.Table(page, rows, comparisons > 0);
        SweepPage.PerNat(page, rows);
        string index = Path.Combine(directory, "index.html");
        AtomicFile.WriteAllText(index, page.End());
        return new SweepReportOutcome(index, rows.Count, comparisons);
    }

    /// <summary>report/compare/NAME/index.html: `memscore compare` of the first point with each other finished point.</summary>
    static int Compare(SweepFolder folder, IReadOnlyList<FrontierRow> rows, DatasetRegistry datasets, string? cacheDirectory)
    {
        if (rows.Count < 2) return 0;
        using var baseline = RunContext.Open(folder.RunPath(rows[0].Point), datasets, cacheDirectory);
        foreach (var row in rows.Skip(1))
        {
            using var other = RunContext.Open(folder.RunPath(row.Point), datasets, cacheDirectory);
            ComparisonBuilder.Build([baseline, other], SweepPage.ComparisonDirectory(folder.ReportDirectory, row.Point));
        }
        return rows.Count - 1;
    }
}
