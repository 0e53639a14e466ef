using MemScore.Analysis;
using MemScore.Reporting.Figures;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>Membership inference from the same models: a model's log p(x_i) as the score of "x_i was in its training set".</summary>
internal static class MembershipSection
{
    public static void Append(ReportPage page, ReportNumbers n)
    {
        var html = page.Html.Append("<h2>Membership inference from the same models</h2><p>Score: a model's log p(x_i); positive: x_i was in its training set.</p>");
        var all = n.RocAll;
        var split = n.RocTopSplit;
        html.Append("<table><tr><th>examples</th><th>AUC</th><th>TPR at 1% FPR</th><th>TPR at 0.1% FPR</th></tr>")
            .Append($"<tr><td>all</td><td>{F(all.Auc)}</td><td>{F(all.TprAtFpr(0.01))}</td><td>{F(all.TprAtFpr(0.001))}</td></tr>");
        if (split is { } top)
            html.Append($"<tr><td>top 5% by M (chosen on repeats 1-{top.SelectionRepeats}, scored on the others)</td><td>{F(top.Roc.Auc)}</td><td>{F(top.Roc.TprAtFpr(0.01))}</td><td>{F(top.Roc.TprAtFpr(0.001))}</td></tr>");
        html.Append("</table>").Append(split is null
            ? "<p>The top-5% row needs two complete repeats (the examples are chosen on some repeats and scored on others).</p>"
            : "<p>The top 5% are chosen by M on the first half of the repeats and scored on the other half: chosen and scored on the same values, " +
              "the AUC is high by construction (0.61-0.66 with no memorization at all); split, it is 0.5 without memorization (tested on simulated runs).</p>");
        var chart = new Chart("ROC of log p(x) as a membership test", "false positive rate", "true positive rate", 560, 480)
            .Line($"all examples (AUC {F(all.Auc)})", all.FalsePositiveRate, all.TruePositiveRate, Chart.Palette[0], markers: false);
        if (split is { } chosen)
            chart.Line($"top 5% by M, split repeats (AUC {F(chosen.Roc.Auc)})", chosen.Roc.FalsePositiveRate, chosen.Roc.TruePositiveRate, Chart.Palette[1], markers: false);
        chart.Line("chance", [0, 1], [0, 1], "#999999", dashed: true, markers: false).Limits(0, 1, 0, 1).LegendAt(ScottPlot.Alignment.LowerRight);
        var table = new FigureTable("curve", "fpr", "tpr");
        AddCurve(table, "all", all);
        if (split is { } s) AddCurve(table, "top5_split", s.Roc);
        page.Figure("roc", chart.Render(), "ROC curves", table);
    }

    static void AddCurve(FigureTable table, string name, RocCurve roc)
    {
        for (int k = 0; k < roc.FalsePositiveRate.Length; k++) table.Row(name, roc.FalsePositiveRate[k], roc.TruePositiveRate[k]);
    }
}
