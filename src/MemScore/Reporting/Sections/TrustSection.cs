using MemScore.Analysis;
using MemScore.Memorization;
using MemScore.Reporting.Figures;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>How trustworthy the per-example ranking is: predicted reliability, ESS, the top examples with intervals.</summary>
internal static class TrustSection
{
    const int IntervalPoints = 2000;

    public static void Append(ReportPage page, ReportNumbers n)
    {
        var html = page.Html.Append("<h2>How trustworthy is the per-example ranking?</h2>");
        if (n.Privacy is { } privacy) html.Append($"<p><b>Differential privacy.</b> {Encode(privacy)}. With delta = 0 such training bounds the leave-one-out memorization score by epsilon (METHOD.md section 5); with delta &gt; 0 only up to delta.</p>");
        if (n.Target is { } target) html.Append($"<p><b>Target reliability.</b> {Encode(target.Sentence())}</p>");
        if (n.Inference is { } inference)
        {
            Reliability(html, inference);
            Intervals(page, n, inference);
        }
        if (n.Ess is { } ess) EffectiveSampleSize(page, n, ess);
        TopTable(page, n);
    }

    static void Reliability(System.Text.StringBuilder html, ScoreInference inference)
    {
        if (inference.RankingMostlyNoise)
            html.Append($"<p class=\"warn\"><b>Warning:</b> {Encode(char.ToLowerInvariant(inference.ReliabilitySentence()[0]) + inference.ReliabilitySentence()[1..])} Quantiles of M are stable; individual ranks are not. " +
                        "More repeats, or training until the models memorize (METHOD.md section 7: 50 epochs gave 0.90 on 2,000 digits), raise it.</p>");
        html.Append("<table>")
            .Append(Row("predicted Spearman of M with a second training seed", F(inference.PredictedReliability)))
            .Append(Row("reliability on the value scale (1 - error variance / variance of M)", F(inference.PearsonReliability)))
            .Append(Row("complete repeats used", $"{inference.RepeatsUsed}"))
            .Append(Row("interval for M", double.IsNaN(inference.IntervalLevel) ? "none: too few relabellings for a 90% interval (more repeats)"
                : $"{F(inference.IntervalLevel * 100, "F1")}%, for the population M under the shift model (exact by randomization), free of the count-asymmetry bias"))
            .Append(Row("permutation test", $"{(inference.ExactPermutations ? "all" : "Monte Carlo,")} {inference.Permutations} relabellings of the out fold per repeat" +
                (inference.MaxPermutations > inference.Permutations ? $", up to {inference.MaxPermutations} for small p" : "") + $"; smallest possible p {F(inference.MinAttainableP, "G3")}"))
            .Append("</table>")
            .Append("<p>The predicted reliability simulates two runs of this design from this run (posterior-predictive; validated against pairs of simulated runs, " +
                    "tests/MemScore.Tests/Analysis/ReliabilityTests.cs). The split-half Spearman shown by earlier versions is not used: the paper estimator's bias repeats " +
                    "in both halves and log-mean-exp's error does not shrink like 1/L, so it overstated agreement with a second seed (0.23-0.37 against 0.16 measured).</p>");
    }

    /// <summary>M of every example by rank with its interval (at most <see cref="IntervalPoints"/> ranks, evenly spaced).</summary>
    static void Intervals(ReportPage page, ReportNumbers n, ScoreInference inference)
    {
        if (double.IsNaN(inference.IntervalLevel) || n.Order.Length == 0) return;
        int step = Math.Max(1, n.Order.Length / IntervalPoints);
        var ranks = Enumerable.Range(0, n.Order.Length).Where(r => r % step == 0).ToArray();
        double[] x = ranks.Select(r => (double)(r + 1)).ToArray();
        double[] m = ranks.Select(r => n.M[n.Order[r]]).ToArray(), lo = ranks.Select(r => inference.Lower[n.Order[r]]).ToArray(),
            hi = ranks.Select(r => inference.Upper[n.Order[r]]).ToArray();
        string level = $"{F(inference.IntervalLevel * 100, "F1")}% interval";
        var chart = new Chart("M of every example with its interval, by rank", "rank by M (1 = highest)", "M (nats)")
            .Band(level, x, lo, hi, Chart.Palette[0]).Line("M", x, m, Chart.Palette[0], markers: false).Render();
        var table = new FigureTable("rank", "index", "M", "M_lo", "M_hi");
        foreach (int r in ranks) table.Row(r + 1, n.Scores.SourceIndices[n.Order[r]], n.M[n.Order[r]], inference.Lower[n.Order[r]], inference.Upper[n.Order[r]]);
        page.Figure("m_intervals", chart, "M of every example by rank with its interval", table);
    }

    static void EffectiveSampleSize(ReportPage page, ReportNumbers n, EssSummary ess)
    {
        page.Html.Append($"<h3>Importance sampling: effective sample size</h3><p>ESS / S over every (model, example) at epoch {n.Run.EvaluationEpochs[^1]}: " +
                         $"median {F(ess.Median)}, 5% quantile {F(ess.Q05)}, {F(100.0 * ess.ShareBelowTenth, "F1")}% below 0.1. " +
                         "Low values mean log p(x) rests on few samples: raise --is-samples.</p>");
        var chart = new Chart("Effective sample size of importance sampling", "ESS / S (share of the S samples)", "(model, example) pairs")
            .Histogram(ess.Histogram, "#2ca02c").VerticalMarker(0.1, "0.1 (few effective samples)", "#d62728").Render();
        page.Figure("ess_fraction", chart, "histogram of ESS / S", HistogramTable(ess.Histogram));
    }

    public static FigureTable HistogramTable(Histogram histogram)
    {
        var table = new FigureTable("from", "to", "count");
        for (int b = 0; b < histogram.Counts.Length; b++) table.Row(histogram.Edges[b], histogram.Edges[b + 1], histogram.Counts[b]);
        return table;
    }

    static void TopTable(ReportPage page, ReportNumbers n)
    {
        var inference = n.Inference;
        bool paper = n.Estimator == EstimatorKind.Paper;
        string level = inference is null || double.IsNaN(inference.IntervalLevel) ? "" : $" ({F(inference.IntervalLevel * 100, "F1")}%)";
        var html = page.Html.Append($"<h3>Top {LeadSection.TilesPerGrid} by M ({Estimators.Name(n.Estimator)} estimator) with intervals and q-values</h3><table class=\"top\"><tr><th>rank</th><th>index</th><th>label</th><th>M</th>" +
                                    $"<th>interval for M{level}</th><th>q</th>{(paper ? "<th>M expected with no memorization (null bias)</th>" : "")}</tr>");
        foreach (var (i, rank) in n.Order.Take(LeadSection.TilesPerGrid).Select((i, r) => (i, r + 1)))
            html.Append($"<tr><td>{rank}</td><td>{n.Scores.SourceIndices[i]}</td><td>{n.Scores.Labels[i]}</td><td>{F(n.M[i])}</td>" +
                        $"<td>{(inference is null ? "n/a" : $"{F(inference.Lower[i])} .. {F(inference.Upper[i])}")}</td><td>{(inference is null ? "n/a" : F(inference.Q[i], "G3"))}</td>" +
                        $"{(paper ? $"<td>{(inference is null ? "n/a" : F(inference.NullBias[i]))}</td>" : "")}</tr>");
        html.Append("</table>");
    }
}
