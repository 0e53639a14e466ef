using MemScore.Reporting.Figures;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>The histogram of M with its 0.95 and 0.999 quantiles, and M per class.</summary>
internal static class DistributionSection
{
    public static void Append(ReportPage page, ReportNumbers n)
    {
        page.Html.Append("<h2>Distribution of M</h2><div class=\"charts\">");
        if (n.MHistogram is { } histogram)
        {
            var chart = new Chart($"Memorization score M at epoch {n.Run.EvaluationEpochs[^1]}", "M (nats)", "examples")
                .Histogram(histogram, Chart.Palette[0]).VerticalMarker(n.Q95, $"0.95 quantile ({F(n.Q95, "F1")})", "#d62728")
                .VerticalMarker(n.Q999, $"0.999 quantile ({F(n.Q999, "F1")})", "#9467bd").Render();
            page.Figure("m_histogram", chart, "histogram of M", TrustSection.HistogramTable(histogram));
        }
        PerClassFigure(page, n);
        page.Html.Append("</div>");
        PerClassTable(page, n);
    }

    static void PerClassFigure(ReportPage page, ReportNumbers n)
    {
        if (n.PerClass.Length == 0) return;
        double[] labels = n.PerClass.Select(c => (double)c.Label).ToArray();
        var chart = new Chart("M per class", "label", "M (nats)")
            .Line("median", labels, n.PerClass.Select(c => c.Median).ToArray(), Chart.Palette[0], markers: true)
            .Line("0.95 quantile", labels, n.PerClass.Select(c => c.Q95).ToArray(), Chart.Palette[1], markers: true)
            .Line("overall 0.95 quantile", [labels.Min(), labels.Max()], [n.Q95, n.Q95], "#777777", dashed: true, markers: false)
            .WholeNumbersOnX().LegendBelow().Render();
        var table = new FigureTable("label", "n", "median_M", "q95_M", "share_above_q95");
        foreach (var c in n.PerClass) table.Row(c.Label, c.Count, c.Median, c.Q95, c.ShareAboveQ95);
        page.Figure("m_per_class", chart, "median and 0.95 quantile of M per class", table);
    }

    static void PerClassTable(ReportPage page, ReportNumbers n)
    {
        page.Html.Append("<table><tr><th>label</th><th>n</th><th>median M</th><th>q0.95 M</th><th>share above overall q0.95</th></tr>");
        foreach (var c in n.PerClass)
            page.Html.Append($"<tr><td>{c.Label}</td><td>{c.Count}</td><td>{F(c.Median)}</td><td>{F(c.Q95)}</td><td>{F(c.ShareAboveQ95)}</td></tr>");
        page.Html.Append("</table>");
    }
}
