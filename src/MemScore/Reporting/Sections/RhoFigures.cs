using MemScore.Analysis;
using MemScore.Reporting.Figures;

namespace MemScore.Reporting;

/// <summary>The paper's rho figures: rho against M (points and binned means) and rho for regular vs highly memorized examples.</summary>
internal static class RhoFigures
{
    public static void Histograms(ReportPage page, RhoByMemorization s)
    {
        var edges = s.HistogramEdges;
        var chart = new Chart("rho for regular and highly memorized examples", "rho = d(test) / d(generated) (finite rho)", "share of the group")
            .Histogram(new Histogram(edges, s.Regular.HistogramCounts), Chart.Palette[0], "regular", density: true)
            .Histogram(new Histogram(edges, s.High.HistogramCounts), Chart.Palette[1], "highly memorized", density: true).Render();
        var table = new FigureTable("from", "to", "regular", "high");
        for (int b = 0; b + 1 < edges.Length; b++) table.Row(edges[b], edges[b + 1], s.Regular.HistogramCounts[b], s.High.HistogramCounts[b]);
        page.Figure("rho_by_group", chart, "distribution of rho, regular vs highly memorized", table);
    }

    public static void AgainstM(ReportPage page, RhoByMemorization s, double[] rho, double[] m)
    {
        double[] centre = s.Bins.Select(b => (b.MemorizationLow + b.MemorizationHigh) / 2).ToArray();
        var chart = new Chart("rho against M", "M (nats)", "rho = d(test) / d(generated)")
            .Points("examples (finite rho)", m, rho, "#7f7f7f")
            .Band("95% interval of the bin mean", centre, s.Bins.Select(b => b.Lower95).ToArray(), s.Bins.Select(b => b.Upper95).ToArray(), Chart.Palette[0])
            .Line("mean rho per bin of M (equal counts)", centre, s.Bins.Select(b => b.MeanRho).ToArray(), Chart.Palette[0], markers: true)
            .LegendBelow().Render();   // the points fill every corner
        var table = new FigureTable("m_low", "m_high", "count", "mean_rho", "lower95", "upper95", "infinite");
        foreach (var b in s.Bins) table.Row(b.MemorizationLow, b.MemorizationHigh, b.Count, b.MeanRho, b.Lower95, b.Upper95, b.Infinite);
        page.Figure("rho_by_m_bin", chart, "rho against M with the mean per bin of M and its 95% interval", table);
    }
}
