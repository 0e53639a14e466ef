using MemScore.Analysis;
using MemScore.Core;
using MemScore.Reporting.Figures;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>
/// The paper's "memorization is not low likelihood" figures: the share of highly memorized examples
/// per bin of log P(x | D) (U, the in-models' value) and the histogram of log P for regular and
/// highly memorized examples.
/// </summary>
internal static class LikelihoodSection
{
    public static void Append(ReportPage page, ReportNumbers n)
    {
        page.Html.Append("<h2>Memorization is not the same as low likelihood</h2><p>Examples binned by U = log P(x|D) (the in-models' log-likelihood); " +
                         "highly memorized = M above its 0.95 quantile.</p>");
        var bins = n.LikelihoodBins;
        if (bins.Length == 0) return;
        var table = new FigureTable("u_from", "u_to", "regular", "high", "share_high");
        foreach (var b in bins) table.Row(b.From, b.To, b.Regular, b.High, b.ShareHigh);
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "u_bins.csv"), table.ToString());

        page.Html.Append("<div class=\"charts\">");
        double[] centres = bins.Select(b => (b.From + b.To) / 2).ToArray();
        var share = new Chart("Share of highly memorized examples per bin of log P", "log P(x | D) (nats, bin centre)", "share with M > 0.95 quantile")
            .Line("highly memorized share", centres, bins.Select(b => b.ShareHigh).ToArray(), Chart.Palette[1], markers: true)
            .Line("overall share (0.05)", [centres[0], centres[^1]], [0.05, 0.05], "#777777", dashed: true, markers: false).Render();
        page.Figure("high_share_by_log_p", share, "share of highly memorized examples per bin of log P", table);

        double[] edges = [.. bins.Select(b => b.From), bins[^1].To];
        var regular = new Histogram(edges, bins.Select(b => b.Regular).ToArray());
        var high = new Histogram(edges, bins.Select(b => b.High).ToArray());
        var histogram = new Chart("log P for regular and highly memorized examples", "log P(x | D) (nats)", "share of the group")
            .Histogram(regular, Chart.Palette[0], "regular", density: true).Histogram(high, Chart.Palette[1], "highly memorized", density: true).Render();
        page.Figure("log_p_histogram", histogram, "histogram of log P, regular vs highly memorized", table);
        page.Html.Append("</div><table><tr><th>U from</th><th>U to</th><th>regular</th><th>highly memorized</th><th>share memorized</th></tr>");
        foreach (var b in bins)
            page.Html.Append($"<tr><td>{F(b.From, "F1")}</td><td>{F(b.To, "F1")}</td><td>{b.Regular}</td><td>{b.High}</td><td>{F(b.ShareHigh)}</td></tr>");
        page.Html.Append("</table>");
    }
}
