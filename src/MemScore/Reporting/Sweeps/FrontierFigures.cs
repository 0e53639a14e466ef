using MemScore.Reporting.Figures;

namespace MemScore.Reporting.Sweeps;

/// <summary>The frontier charts: each point of the sweep at (held-out bits/dim, memorization), labelled with its table row.</summary>
static class FrontierFigures
{
    static string[] Numbers(IReadOnlyList<FrontierRow> rows) => rows.Select((_, i) => (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public static void Quantiles(ReportPage page, IReadOnlyList<FrontierRow> rows)
    {
        double[] x = rows.Select(r => r.HeldOutBitsPerDim).ToArray();
        double[] q95 = rows.Select(r => r.Q95).ToArray(), q99 = rows.Select(r => r.Q99).ToArray(), q999 = rows.Select(r => r.Q999).ToArray();
        var chart = new Chart("Memorization-utility frontier", "held-out -log p(x) (bits/dim; lower is better)", "upper quantile of M (nats)")
            .Points("0.95 quantile of M", x, q95, Chart.Palette[0])
            .Points("0.99 quantile of M", x, q99, Chart.Palette[2])
            .Points("0.999 quantile of M", x, q999, Chart.Palette[1])
            .Labels(x, q999, Numbers(rows))
            .LegendBelow();
        var table = new FigureTable("row", "point", "heldout_bits_per_dim", "heldout_logp_nats", "q0.95_M", "q0.99_M", "q0.999_M");
        for (int i = 0; i < rows.Count; i++)
            table.Row(i + 1, rows[i].Point.Name, rows[i].HeldOutBitsPerDim, rows[i].HeldOutLogP, rows[i].Q95, rows[i].Q99, rows[i].Q999);
        page.Figure("frontier", chart.Render(), "memorization-utility frontier: upper quantiles of M against held-out bits per dimension, one point per setting", table);
    }

    public static void Significant(ReportPage page, IReadOnlyList<FrontierRow> rows)
    {
        if (rows.All(r => r.Significant is null)) return;
        double[] x = rows.Select(r => r.HeldOutBitsPerDim).ToArray();
        double[] y = rows.Select(r => r.Significant is int s ? s : double.NaN).ToArray();
        var chart = new Chart("Examples memorized at FDR 10% against model quality", "held-out -log p(x) (bits/dim; lower is better)", "examples with q <= 0.1")
            .Points("examples memorized (q <= 0.1)", x, y, Chart.Palette[3])
            .Labels(x, y, Numbers(rows))
            .LegendBelow();
        var table = new FigureTable("row", "point", "heldout_bits_per_dim", "significant_fdr10");
        for (int i = 0; i < rows.Count; i++) table.Row(i + 1, rows[i].Point.Name, rows[i].HeldOutBitsPerDim, y[i]);
        page.Figure("frontier_significant", chart.Render(), "examples memorized at FDR 10% against held-out bits per dimension", table);
    }
}
