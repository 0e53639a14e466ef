using System.Text;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Reporting.Figures;
using MemScore.Storage;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sweeps;

/// <summary>The text and tables of the sweep report.</summary>
static class SweepPage
{
    public static string ComparisonDirectory(string reportDirectory, SweepPoint point) => Path.Combine(reportDirectory, "compare", point.Name);

    public static void Lead(ReportPage page, SweepManifest manifest, IReadOnlyList<FrontierRow> rows, int planned)
    {
        int n = rows.Min(r => r.Examples);
        page.Html.Append("<p class=\"lead\">")
            .Append($"{rows.Count} of {planned} points finished. Shared flags: <code>{Encode(string.Join(' ', manifest.BaseArguments))}</code>; levers: ")
            .Append(Encode(string.Join("; ", manifest.Axes.Select(a => $"{a.Key} = {string.Join(", ", a.Values.Select(v => v ?? "none (flag left out)"))}"))))
            .Append(". Each point is a run (M = U - V at its last evaluation epoch, from scores.csv) and a full run (one model on the training split; ")
            .Append($"mean log p(x) of its {rows[0].TestExamples} held-out examples). Lower bits/dim and lower M are both better: a point is on the frontier ")
            .Append("when no other point has both a higher held-out log p(x) and a lower 0.999 quantile of M.</p>")
            .Append("<p class=\"warn\">How noisy these numbers are: ")
            .Append(n < 1000
                ? $"with {n} examples the 0.999 quantile lies between the two largest values of M, so it is the M of one example; the 0.99 quantile on the largest {Math.Max(1, n / 100)}. "
                : $"the 0.999 quantile rests on about {n / 1000} examples and the 0.99 quantile on about {n / 100}. ")
            .Append("Differences between points of a few nats can be seed noise: with no effect at all, two points still differ by the spread of these quantiles between seeds. ")
            .Append("Memorized at FDR 10% is n/a where the design cannot reach q <= 0.1 (scores.json: can_reach_significance = false; more repeats or folds). ")
            .Append("The intervals beside the quantiles are 95% distribution-free intervals from order statistics (Conover, section 3.2): the noise of ")
            .Append("which examples were drawn, not of training seeds (rerun a point with another --seed for that); +inf where the sample cannot bound the quantile. ")
            .Append("The held-out log p(x) is a mean over the full run's held-out examples; its standard error is in the table.</p>");
    }

    public static void Table(ReportPage page, IReadOnlyList<FrontierRow> rows, bool compared)
    {
        var keys = rows[0].Point.Settings.Select(s => s.Key).ToArray();
        var html = page.Html.Append("<h2>Points</h2><table id=\"points\"><tr><th>#</th><th>point</th>")
            .Append(string.Concat(keys.Select(k => $"<th>{Encode(k)}</th>")))
            .Append("<th>examples</th><th>q0.95 M</th><th>q0.99 M [95% interval]</th><th>q0.999 M [95% interval]</th><th>memorized at FDR 10%</th>")
            .Append("<th>held-out log p(x) (nats)</th><th>its standard error</th><th>held-out bits/dim</th><th>train - held-out log p (nats)</th><th>on the frontier</th>")
            .Append(compared ? "<th>per-example comparison</th>" : "").Append("</tr>");
        var csv = new FigureTable(["row", "point", .. keys, "examples", "q0.95_M", "q0.99_M", "q0.99_M_lo", "q0.99_M_hi", "q0.999_M", "q0.999_M_lo", "q0.999_M_hi", "significant_fdr10", "heldout_logp_nats", "heldout_logp_se",
            "heldout_bits_per_dim", "train_logp_nats", "on_frontier"]);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            bool frontier = OnFrontier(rows, i);
            string report = $"../points/{Uri.EscapeDataString(r.Point.Name)}/run/report/index.html";
            html.Append($"<tr><td>{i + 1}</td><td style=\"text-align:left\"><a href=\"{report}\">{Encode(r.Point.Name)}</a></td>")
                .Append(string.Concat(r.Point.Settings.Select(s => $"<td>{Encode(s.Value ?? "none")}</td>")))
                .Append($"<td>{r.Examples}</td><td>{F(r.Q95)}</td><td>{F(r.Q99)} {Interval(r.Q99Interval)}</td><td>{F(r.Q999)} {Interval(r.Q999Interval)}</td><td>{(r.Significant?.ToString() ?? "n/a")}</td>")
                .Append($"<td>{F(r.HeldOutLogP)}</td><td>{F(r.HeldOutStandardError)}</td><td>{F(r.HeldOutBitsPerDim, "F4")}</td><td>{F(r.TrainLogP - r.HeldOutLogP)}</td><td>{(frontier ? "yes" : "")}</td>");
            if (compared)
                html.Append(i == 0 ? "<td>baseline</td>" : $"<td><a href=\"compare/{Uri.EscapeDataString(r.Point.Name)}/index.html\">vs #1</a></td>");
            html.Append("</tr>");
            csv.Row([i + 1, r.Point.Name, .. r.Point.Settings.Select(s => (object)(s.Value ?? "none")), r.Examples, r.Q95, r.Q99, r.Q99Interval.Lower, r.Q99Interval.Upper, r.Q999, r.Q999Interval.Lower, r.Q999Interval.Upper,
                r.Significant is int s ? s : double.NaN, r.HeldOutLogP, r.HeldOutStandardError, r.HeldOutBitsPerDim, r.TrainLogP, frontier ? "yes" : "no"]);
        }
        html.Append("</table><p><a href=\"points.csv\">points.csv</a></p>");
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "points.csv"), csv.ToString());
    }

    static string Interval((double Lower, double Upper) i) =>
        $"[{(double.IsNegativeInfinity(i.Lower) ? "-inf" : F(i.Lower))}, {(double.IsPositiveInfinity(i.Upper) ? "+inf" : F(i.Upper))}]";

    /// <summary>No other point has a held-out log p(x) at least as high and a 0.999 quantile at least as low, one of them strictly.</summary>
    public static bool OnFrontier(IReadOnlyList<FrontierRow> rows, int i) =>
        !rows.Where((_, j) => j != i).Any(o => o.HeldOutLogP >= rows[i].HeldOutLogP && o.Q999 <= rows[i].Q999
                                                && (o.HeldOutLogP > rows[i].HeldOutLogP || o.Q999 < rows[i].Q999));

    /// <summary>Each point against the first: how much the 0.999 (and 0.99) quantile fell per nat of held-out log-likelihood lost.</summary>
    public static void PerNat(ReportPage page, IReadOnlyList<FrontierRow> rows)
    {
        if (rows.Count < 2) return;
        var b = rows[0];
        var html = page.Html.Append($"<h2>Price of each setting against #1 ({Encode(b.Point.Name)})</h2>")
            .Append("<table id=\"per-nat\"><tr><th>#</th><th>point</th><th>change of q0.999 M</th><th>change of q0.99 M</th><th>held-out log p(x) lost (nats)</th>")
            .Append("<th>q0.999 fall per nat lost</th><th>q0.99 fall per nat lost</th></tr>");
        var csv = new FigureTable("row", "point", "delta_q0.999_M", "delta_q0.99_M", "nats_lost", "q0.999_fall_per_nat", "q0.99_fall_per_nat");
        for (int i = 1; i < rows.Count; i++)
        {
            var r = rows[i];
            double lost = b.HeldOutLogP - r.HeldOutLogP;
            double per999 = lost > 0 ? (b.Q999 - r.Q999) / lost : double.NaN, per99 = lost > 0 ? (b.Q99 - r.Q99) / lost : double.NaN;
            string Ratio(double v) => lost > 0 ? F(v) : "no loss";
            html.Append($"<tr><td>{i + 1}</td><td style=\"text-align:left\">{Encode(r.Point.Name)}</td><td>{F(r.Q999 - b.Q999)}</td><td>{F(r.Q99 - b.Q99)}</td>")
                .Append($"<td>{F(lost)}</td><td>{Ratio(per999)}</td><td>{Ratio(per99)}</td></tr>");
            csv.Row(i + 1, r.Point.Name, r.Q999 - b.Q999, r.Q99 - b.Q99, lost, per999, per99);
        }
        html.Append("</table><p>Per nat lost: (q of #1 - q of the point) / (held-out log p(x) of #1 - that of the point), where the point lost log-likelihood. ")
            .Append("<a href=\"per_nat.csv\">per_nat.csv</a></p>");
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "per_nat.csv"), csv.ToString());
    }
}
