using MemScore.Reporting.Figures;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>The paper estimator's count-asymmetry bias: M against repeats used, and the null bias beside M.</summary>
internal static class BiasSection
{
    public static void Append(ReportPage page, ReportNumbers n)
    {
        page.Html.Append("<h2>Estimator bias</h2><p>The paper's U averages L(K-1) in-values and V only L out-values; log-mean-exp of fewer values is lower in expectation, " +
                         "so with no memorization at all the paper's M is positive, more so for examples whose log p varies more between models. The balanced estimator " +
                         "(<code>--estimator balanced</code>) uses L in-values per grouping (one per repeat), so its M is 0 in expectation without memorization. " +
                         "Below: quantiles of M recomputed from the first 1..L repeats, and of the null bias (the paper's M expected with no memorization, from relabelling each example's values).</p>");
        double[] repeats = Enumerable.Range(1, n.QuantilesByRepeats.Length).Select(x => (double)x).ToArray();
        var chart = new Chart("Quantiles of the paper's M against repeats used", "repeats L used", "M (nats)");
        var table = new FigureTable(["repeats", .. ReportNumbers.QuantileLevels.Select(q => $"q{q}")]);
        for (int k = 0; k < ReportNumbers.QuantileLevels.Length; k++)
            chart.Line($"{ReportNumbers.QuantileLevels[k]} quantile", repeats, n.QuantilesByRepeats.Select(r => r[k]).ToArray(), Chart.Palette[k], markers: true);
        for (int r = 0; r < repeats.Length; r++) table.Row([(object)repeats[r], .. n.QuantilesByRepeats[r].Select(v => (object)v)]);
        page.Figure("m_by_repeats", chart.WholeNumbersOnX().LegendBelow().Render(), "quantiles of M against repeats", table);

        page.Html.Append("<table class=\"bias\"><tr><th></th><th>median</th><th>q0.95</th><th>q0.999</th></tr>")
            .Append($"<tr><td>paper M</td>{Cells(n.PaperM)}</tr>")
            .Append($"<tr><td>null bias of the paper's M</td>{Cells(n.Inference?.NullBias)}</tr>")
            .Append($"<tr><td>balanced M</td>{Cells(n.BalancedM)}</tr>")
            .Append("</table>");
        if (double.IsFinite(n.SpearmanWithNullBias))
            page.Html.Append($"<p>Spearman correlation of the paper's M with its null bias: {F(n.SpearmanWithNullBias)} " +
                             "(the part of the ranking that follows how much models disagree on an example, not memorization).</p>");
    }

    static string Cells(double[]? values) => string.Concat(ReportNumbers.QuantilesOf(values).Select(q => $"<td>{F(q)}</td>"));
}
