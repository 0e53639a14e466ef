using System.Globalization;
using System.Net;
using System.Text;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Reporting.Figures;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <param name="Changes">Per run after the first (same examples only): how many examples changed beyond noise at FDR 10%, of how many compared.</param>
internal sealed record ComparisonOutcome(string IndexPath, int Runs, int Figures, IReadOnlyList<(string Before, string After, int Significant, int Compared)>? Changes = null);

/// <summary>
/// Several runs side by side, for mitigation experiments (learning rate, epochs, augmentation,
/// deduplicated data): quantile curves and histograms of M overlaid, a table of the settings that
/// differ and of the 0.5/0.95/0.999 quantiles, and (for runs on the same examples) the examples
/// whose M changed most relative to the first run, ranked by the change relative to its noise: the
/// difference of the two runs' interval centres (bias-free estimates of the population M) over the
/// combined standard error sqrt(se_A^2 + se_B^2), se = interval width / (2 z_level). A raw |change of M|
/// ranking mostly lists noise (single digits moved 35-46 nats between two settings at 10 epochs).
/// </summary>
internal static class ComparisonBuilder
{
    static string F(double v) => double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    public static ComparisonOutcome Build(IReadOnlyList<RunContext> runs, string outputDirectory, EstimatorKind estimator = EstimatorKind.Paper)
    {
        if (runs.Count < 2) throw new InvalidConfigurationException($"runs = {runs.Count}: expected at least 2 run folders to compare");
        Directory.CreateDirectory(Path.Combine(outputDirectory, "figures"));
        var names = runs.Select(r => Path.GetFileName(r.Folder.Root)).ToArray();
        var results = runs.Select(Aggregator.FinishedResults).ToArray();
        var scores = runs.Select((r, j) => Aggregator.Score(r, results[j], estimator)).ToArray();
        // Seed-to-seed variance of each run's point estimates, for the change ranking (null: widths only).
        var jackknife = runs.Select((r, j) => r.InModels is null && ModelValues.From(results[j], r.Plan, r.Config.EvaluationEpochs().Length - 1) is { } values
            ? PermutationInference.JackknifeShiftVariance(values, new PermutationOptions(Seed: r.Config.Seed)) : null).ToArray();
        var lastM = scores.Select(s => Enumerable.Range(0, s.Count).Select(i => s.M(i, s.LastEpochColumn)).ToArray()).ToArray();
        var page = new ReportPage(outputDirectory);
        page.Begin("Comparison of runs");
        var html = page.Html;

        QuantileTable(page, runs, names, scores, lastM, outputDirectory);
        html.Append("<div class=\"charts\">");
        QuantilesByEpoch(page, names, scores);
        Histograms(page, names, lastM);
        html.Append("</div>");

        // Examples whose M changed most, where runs share the examples.
        var summary = new List<(string, string, int, int)>();
        for (int r = 1; r < runs.Count; r++)
            if (PairChanges(page, runs, outputDirectory, names, scores, lastM, jackknife, r) is { } pair) summary.Add(pair);
        string index = Path.Combine(outputDirectory, "index.html");
        AtomicFile.WriteAllText(index, page.End());
        return new ComparisonOutcome(index, runs.Count, page.Figures, summary);
    }

    /// <summary>The settings that differ between the runs and each run's quantiles of M at its last epoch (also quantiles.csv).</summary>
    static void QuantileTable(ReportPage page, IReadOnlyList<RunContext> runs, string[] names, Scores[] scores, double[][] lastM, string outputDirectory)
    {
        var html = page.Html;
        var differing = DifferingFields(runs);
        html.Append("<table><tr><th>run</th>").Append(string.Concat(differing.Select(f => $"<th>{f}</th>")))
            .Append("<th>examples</th><th>last epoch</th><th>median M</th><th>q0.95 M</th><th>q0.999 M</th></tr>");
        var csv = new StringBuilder("run,examples,epoch,median_M,q95_M,q999_M\n");
        for (int r = 0; r < runs.Count; r++)
        {
            var finite = lastM[r].Where(double.IsFinite).ToArray();
            double q50 = Statistics.Quantile(finite, 0.5), q95 = Statistics.Quantile(finite, 0.95), q999 = Statistics.Quantile(finite, 0.999);
            var fields = System.Text.Json.JsonDocument.Parse(runs[r].Config.ToJson()).RootElement;
            html.Append($"<tr><td>{WebUtility.HtmlEncode(names[r])}</td>")
                .Append(string.Concat(differing.Select(f => $"<td>{WebUtility.HtmlEncode(fields.GetProperty(f).ToString())}</td>")))
                .Append($"<td>{scores[r].Count}</td><td>{scores[r].EvaluationEpochs[^1]}</td><td>{F(q50)}</td><td>{F(q95)}</td><td>{F(q999)}</td></tr>");
            csv.Append(string.Join(",", names[r], scores[r].Count, scores[r].EvaluationEpochs[^1],
                q50.ToString("R", CultureInfo.InvariantCulture), q95.ToString("R", CultureInfo.InvariantCulture), q999.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        }
        html.Append("</table>");
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, "quantiles.csv"), csv.ToString());
    }

    /// <summary>The examples whose M changed most from the first run to run <paramref name="r"/> (also changes_R.csv); null when not comparable or without intervals.</summary>
    static (string, string, int, int)? PairChanges(ReportPage page, IReadOnlyList<RunContext> runs, string outputDirectory, string[] names, Scores[] scores,
        double[][] lastM, double[]?[] jackknife, int r)
    {
        var html = page.Html;
        if (runs[r].Manifest.DatasetHash != runs[0].Manifest.DatasetHash || !scores[r].SourceIndices.SequenceEqual(scores[0].SourceIndices))
        {
            html.Append($"<p>{WebUtility.HtmlEncode(names[r])} scores other examples than {WebUtility.HtmlEncode(names[0])}: no per-example comparison.</p>");
            return null;
        }
        var changes = Changes(scores[0], scores[r], jackknife[0], jackknife[r]);
        html.Append($"<h2>Largest changes of M: {WebUtility.HtmlEncode(names[0])} &rarr; {WebUtility.HtmlEncode(names[r])}</h2>");
        if (changes is null || changes.Compared == 0)
        {
            var raw = Enumerable.Range(0, scores[0].Count).Where(i => double.IsFinite(lastM[0][i]) && double.IsFinite(lastM[r][i]))
                .OrderByDescending(i => Math.Abs(lastM[r][i] - lastM[0][i])).Take(15).ToArray();
            html.Append(changes is null
                    ? "<p>No intervals for one of the runs (--in-models, or no complete repeat): ranked by the raw change, which noise alone may explain.</p>"
                    : "<p>These designs are too small for bounded intervals (too few relabellings: more repeats or folds): ranked by the raw change, which noise alone may explain.</p>")
                .Append("<table class=\"changes\"><tr><th>index</th><th>label</th><th>M before</th><th>M after</th><th>change</th></tr>");
            foreach (int i in raw)
                html.Append($"<tr><td>{scores[0].SourceIndices[i]}</td><td>{scores[0].Labels[i]}</td><td>{F(lastM[0][i])}</td><td>{F(lastM[r][i])}</td><td>{F(lastM[r][i] - lastM[0][i])}</td></tr>");
            html.Append("</table>");
            return null;
        }
        var c = changes;
        html.Append($"<p class=\"noise\"><b>{c.Significant} of {c.Compared} examples changed by more than noise explains</b> (two-sided test of the change of the " +
                    $"interval centres, Benjamini-Hochberg at 10%; approximate: normal errors with each centre's seed-to-seed variance, the larger of the interval's and a jackknife over repeats). {c.Beyond2} have |z| &gt; 1.96, where noise alone " +
                    $"gives about {0.05 * c.Compared:F0}. Ranked by |z| = |change| / combined standard error:</p>")
            .Append("<table class=\"changes\"><tr><th>index</th><th>label</th><th>M before</th><th>interval before</th><th>M after</th><th>interval after</th>" +
                    "<th>change of the interval centre</th><th>z</th><th>q</th></tr>");
        var a = scores[0].Inference!;
        var b = scores[r].Inference!;
        foreach (int i in c.Order.Take(15))
            html.Append($"<tr><td>{scores[0].SourceIndices[i]}</td><td>{scores[0].Labels[i]}</td><td>{F(lastM[0][i])}</td><td>{F(a.Lower[i])} .. {F(a.Upper[i])}</td>" +
                        $"<td>{F(lastM[r][i])}</td><td>{F(b.Lower[i])} .. {F(b.Upper[i])}</td><td>{F(b.Shift[i] - a.Shift[i])}</td><td>{F(c.Z[i])}</td><td>{F(c.Q[i])}</td></tr>");
        html.Append("</table>");
        var changeCsv = new StringBuilder("index,label,M_before,M_after,M_lo_before,M_hi_before,M_lo_after,M_hi_after,centre_change,z,q\n");
        foreach (int i in c.Order)
            changeCsv.Append(string.Join(",", scores[0].SourceIndices[i], scores[0].Labels[i], R(lastM[0][i]), R(lastM[r][i]), R(a.Lower[i]), R(a.Upper[i]),
                R(b.Lower[i]), R(b.Upper[i]), R(b.Shift[i] - a.Shift[i]), R(c.Z[i]), R(c.Q[i]))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, $"changes_{r}.csv"), changeCsv.ToString());
        return (names[0], names[r], c.Significant, c.Compared);
    }

    /// <summary>Upper quantiles of M against epoch, every run on one chart (e.g. two learning rates): q0.95 solid, q0.999 dashed.</summary>
    static void QuantilesByEpoch(ReportPage page, string[] names, Scores[] scores)
    {
        var chart = new Chart("Upper quantiles of M against epoch", "epoch", "M (nats)");
        var table = new FigureTable("run", "epoch", "q0.95", "q0.999");
        for (int r = 0; r < scores.Length; r++)
        {
            var s = scores[r];
            double[] epochs = s.EvaluationEpochs.Select(e => (double)e).ToArray();
            double[] Quantiles(double q) => Enumerable.Range(0, epochs.Length).Select(col => Statistics.Quantile(
                Enumerable.Range(0, s.Count).Select(i => s.M(i, col)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).ToArray(), q)).ToArray();
            double[] q95 = Quantiles(0.95), q999 = Quantiles(0.999);
            string color = Chart.Palette[r % Chart.Palette.Length];
            chart.Line($"{names[r]} 0.95 quantile", epochs, q95, color, markers: true).Line($"{names[r]} 0.999 quantile", epochs, q999, color, dashed: true, markers: true);
            for (int e = 0; e < epochs.Length; e++) table.Row(names[r], epochs[e], q95[e], q999[e]);
        }
        page.Figure("quantiles_by_epoch", chart.WholeNumbersOnX().LegendBelow().Render(), "upper quantiles of M against epoch for every run", table);
    }

    /// <summary>Each run's histogram of M at its last epoch on common bins, as translucent bars.</summary>
    static void Histograms(ReportPage page, string[] names, double[][] lastM)
    {
        var all = lastM.SelectMany(m => m).Where(double.IsFinite).ToArray();
        if (all.Length == 0) return;
        var edges = Histogram.Of(all, 40).Edges;
        var chart = new Chart("Distribution of M at each run's last epoch", "M (nats)", "share of the run's examples");
        var table = new FigureTable(["from", "to", .. names]);
        var counts = lastM.Select(m => Counts(m, edges)).ToArray();
        for (int r = 0; r < names.Length; r++)
            chart.Histogram(new Histogram(edges, counts[r].Select(c => (int)c).ToArray()), Chart.Palette[r % Chart.Palette.Length], names[r], density: true);
        for (int b = 0; b + 1 < edges.Length; b++) table.Row([edges[b], edges[b + 1], .. counts.Select(c => (object)c[b])]);
        page.Figure("m_histograms", chart.Render(), "histograms of M for every run", table);
    }

    static string R(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <param name="Order">Rows with a finite z, largest |z| first.</param>
    /// <param name="Z">Change of the interval centre over the combined standard error (NaN where either interval is infinite).</param>
    /// <param name="Q">Benjamini-Hochberg q-values of the two-sided normal p-values of Z.</param>
    public sealed record ChangeRanking(int[] Order, double[] Z, double[] Q, int Compared, int Significant, int Beyond2);

    /// <summary>
    /// Per-example changes between two runs of the same examples, relative to noise: z_i = (c_B - c_A) /
    /// sqrt(v_A + v_B), c the permutation point estimate (centre of the interval for the population M,
    /// free of the count-asymmetry bias, which differs between settings), v its seed-to-seed variance:
    /// the larger of (interval width / (2 z_level))^2 and the jackknife-over-repeats variance
    /// (<see cref="PermutationInference.JackknifeShiftVariance"/>, given per run; null: widths only).
    /// Null when either run has no intervals.
    /// </summary>
    public static ChangeRanking? Changes(Scores before, Scores after, double[]? jackknifeBefore = null, double[]? jackknifeAfter = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Inference is not { } a || after.Inference is not { } b || before.Count != after.Count) return null;
        double za = NormalDistribution.UpperQuantile((1 - a.IntervalLevel) / 2), zb = NormalDistribution.UpperQuantile((1 - b.IntervalLevel) / 2);
        int n = before.Count;
        var z = new double[n];
        var p = new double[n];
        static double Variance(double width, double zLevel, double[]? jackknife, int i)
        {
            double fromWidth = Math.Pow(width / (2 * zLevel), 2);
            return jackknife is null || double.IsNaN(jackknife[i]) ? fromWidth : Math.Max(fromWidth, jackknife[i]);
        }
        for (int i = 0; i < n; i++)
        {
            double se = Math.Sqrt(Variance(a.Upper[i] - a.Lower[i], za, jackknifeBefore, i) + Variance(b.Upper[i] - b.Lower[i], zb, jackknifeAfter, i));
            z[i] = double.IsFinite(se) && se > 0 ? (b.Shift[i] - a.Shift[i]) / se : double.NaN;
            p[i] = double.IsFinite(z[i]) ? NormalDistribution.TwoSided(z[i]) : double.NaN;
        }
        var q = PermutationInference.BenjaminiHochberg(p);
        var order = Enumerable.Range(0, n).Where(i => double.IsFinite(z[i])).OrderByDescending(i => Math.Abs(z[i])).ThenBy(i => i).ToArray();
        return new ChangeRanking(order, z, q, order.Length, order.Count(i => q[i] <= 0.1), order.Count(i => Math.Abs(z[i]) > 1.959964));
    }

    static double[] Counts(double[] values, double[] edges)
    {
        var counts = new double[edges.Length - 1];
        foreach (double v in values.Where(double.IsFinite))
        {
            int bin = Array.BinarySearch(edges, v);
            bin = bin >= 0 ? Math.Min(bin, counts.Length - 1) : Math.Clamp(~bin - 1, 0, counts.Length - 1);
            counts[bin]++;
        }
        return counts;
    }

    static string[] DifferingFields(IReadOnlyList<RunContext> runs)
    {
        var docs = runs.Select(r => System.Text.Json.JsonDocument.Parse(r.Config.ToJson()).RootElement).ToArray();
        return docs[0].EnumerateObject().Select(p => p.Name)
            .Where(name => docs.Select(d => d.GetProperty(name).GetRawText()).Distinct().Count() > 1).ToArray();
    }
}
