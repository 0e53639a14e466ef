using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using MemScore.Analysis;
using MemScore.Execution;
using MemScore.Memorization;
using MemScore.Storage;
using static TorchSharp.torch;

namespace MemScore.Reporting;

public sealed record ReportOutcome(string IndexPath, int Figures, int Tiles, UncertaintySummary Uncertainty, SampleAnalysisSummary? Samples = null);

/// <param name="FullRunDirectory">A `memscore full` folder of the same data: adds the overfitting view and the sample-based tests.</param>
/// <param name="Models">Registry to rebuild the full model for sampling (default: the built-in families).</param>
/// <param name="SampleImages">What the nearest-neighbour test and C_T compare (default: decoder means against grey-level images).</param>
public sealed record ReportOptions(string? FullRunDirectory = null, Models.ModelRegistry? Models = null, Data.DatasetRegistry? Datasets = null,
    string? CacheDirectory = null, SampleImages SampleImages = SampleImages.DecoderMeans);

/// <summary>
/// RUN/report/: index.html (opens offline), SVG figures, PNG tiles, and the numbers behind them as
/// JSON/CSV. Built from the task result files alone (no retraining). Sections follow METHOD.md
/// section 5; the uncertainty of the per-example ranking comes first.
/// </summary>
public static class ReportBuilder
{
    const int TilesPerGrid = 15;
    static readonly double[] Quantiles = [0.5, 0.95, 0.999];
    static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    public static ReportOutcome Build(RunContext context, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        // A bad --full folder is refused before anything is written.
        var fullFolder = options.FullRunDirectory is string fullRoot ? new FullRunFolder(fullRoot) : null;
        var fullManifest = fullFolder?.ReadManifest();
        var fullCurves = fullFolder is null ? null : fullFolder.ReadCurves(fullManifest!);
        string dir = Path.Combine(context.Folder.Root, "report");
        Directory.CreateDirectory(Path.Combine(dir, "figures"));
        Directory.CreateDirectory(Path.Combine(dir, "tiles"));
        var results = Aggregator.FinishedResults(context);
        var epochs = context.Config.EvaluationEpochs();
        var scores = Aggregator.Score(context, results);
        int last = scores.LastEpochColumn;
        var m = Enumerable.Range(0, scores.Count).Select(i => scores.M(i, last)).ToArray();
        var u = Enumerable.Range(0, scores.Count).Select(i => scores.U[i, last]).ToArray();
        var finite = m.Where(double.IsFinite).ToArray();
        double q95 = Statistics.Quantile(finite, 0.95), q999 = Statistics.Quantile(finite, 0.999);
        var perRepeat = PerRepeatValues.From(results, context.Plan.Repeats, context.Plan.Count, last);
        var uncertainty = Uncertainty.Summarize(perRepeat);

        var page = new ReportPage(dir);
        var html = page.Html;
        void Figure(string name, string svg, string alt) => page.Figure(name, svg, alt);

        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>MemScore report</title><style>")
            .Append("body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
            .Append(".grid{display:flex;flex-wrap:wrap;gap:6px}figure{margin:0;text-align:center;font-size:11px}.warn{background:#fff3cd;padding:.6em;border:1px solid #e0b000}")
            .Append("</style></head><body><h1>Memorization report</h1>");

        // 1. Run summary
        var c = context.Config;
        html.Append("<h2>Run</h2><table>")
            .Append(Row("data", $"{c.Dataset}, {scores.Count} examples, {string.Join("x", context.Manifest.ImageShape)}"))
            .Append(Row("model", c.Model)).Append(Row("folds K x repeats L", $"{c.Folds} x {c.Repeats} ({results.Count}/{context.TaskCount} tasks finished)"))
            .Append(c.InModels is int kept ? Row("in-models per example", $"{kept} of {c.Repeats * (c.Folds - 1)} (--in-models: a seeded subset)") : "")
            .Append(Row("epochs / evaluated at", $"{c.Epochs} / {string.Join(", ", epochs)}")).Append(Row("importance samples S", $"{c.ImportanceSamples}"))
            .Append(Row("learning rate, batch", $"{c.LearningRate}, {c.BatchSize}")).Append(Row("seed, threads", $"{c.Seed}, {c.Threads}"))
            .Append(Row("versions", $"memscore {context.Manifest.ToolVersion}, TorchSharp {context.Manifest.TorchSharpVersion}, libtorch {context.Manifest.LibTorchVersion}"))
            .Append(Row("compute", $"{results.Sum(r => r.Seconds):F0} s over {results.Count} tasks")).Append("</table>");

        // 9. Uncertainty, near the top
        html.Append("<h2>How trustworthy is the per-example ranking?</h2>");
        if (uncertainty.RankingMostlyNoise)
            html.Append($"<p class=\"warn\"><b>Warning:</b> the per-example ranking is mostly noise at L = {c.Repeats} repeats " +
                        $"(split-half Spearman {F(uncertainty.SplitHalfSpearman)}, predicted reliability {F(uncertainty.PredictedReliability)}). " +
                        $"Quantiles of M are stable; individual ranks are not. About {F(uncertainty.RepeatsForReliability08, "F0")} repeats are predicted to reach a reliability of 0.8.</p>");
        html.Append("<table>")
            .Append(Row("split-half Spearman of M (first vs second half of repeats)", F(uncertainty.SplitHalfSpearman)))
            .Append(Row("predicted reliability with all L repeats (Spearman-Brown)", F(uncertainty.PredictedReliability)))
            .Append(Row("repeats predicted for reliability 0.8", F(uncertainty.RepeatsForReliability08, "F0")))
            .Append(Row("median standard error of M over repeats (nats)", F(Median(uncertainty.StandardError)))).Append("</table>");
        var essFraction = results.Where(r => r.EffectiveSampleSizes is not null)
            .SelectMany(r => r.EvaluatedRows(context.Plan.Count).Select(i => r.EffectiveSampleSizes![last][i])).Select(v => v / c.ImportanceSamples).ToArray();
        if (essFraction.Length > 0)
        {
            html.Append($"<h3>Importance sampling: effective sample size</h3><p>ESS / S over every (model, example) at epoch {epochs[last]}: " +
                        $"median {F(Statistics.Quantile(essFraction, 0.5))}, 5% quantile {F(Statistics.Quantile(essFraction, 0.05))}, " +
                        $"{F(100.0 * essFraction.Count(v => v < 0.1) / essFraction.Length, "F1")}% below 0.1. Low values mean log p(x) rests on few samples: raise --is-samples.</p>");
            var essHist = Histogram.Of(essFraction, 30);
            Figure("ess_fraction.svg", new SvgChart("Effective sample size / S", "ESS / S", "(model, example) pairs")
                .Bars(essHist.Edges, essHist.Counts.Select(x => (double)x).ToArray(), "#5cb85c").Render(), "histogram of ESS / S");
        }
        var order = scores.TopMemorized(scores.Count);
        html.Append("<h3>Top 15 with intervals (M &plusmn; 2 SE)</h3><table><tr><th>rank</th><th>index</th><th>label</th><th>M</th><th>interval</th><th>jackknife M</th></tr>");
        foreach (var (i, rank) in order.Take(TilesPerGrid).Select((i, r) => (i, r + 1)))
            html.Append($"<tr><td>{rank}</td><td>{scores.SourceIndices[i]}</td><td>{scores.Labels[i]}</td><td>{F(m[i])}</td>" +
                        $"<td>{F(m[i] - 2 * uncertainty.StandardError[i])} .. {F(m[i] + 2 * uncertainty.StandardError[i])}</td><td>{F(uncertainty.JackknifeM[i])}</td></tr>");
        html.Append("</table>");

        // 2. Image grids
        html.Append("<h2>Most, median and least memorized</h2>");
        int medianStart = Math.Max(0, order.Length / 2 - TilesPerGrid / 2);
        foreach (var (title, rows) in new[]
                 {
                     ("Highest M", order.Take(TilesPerGrid).ToArray()),
                     ("Nearest the median", order.Skip(medianStart).Take(TilesPerGrid).ToArray()),
                     ("Lowest M", order.Reverse().Take(TilesPerGrid).Reverse().ToArray()),
                 })
        {
            html.Append($"<h3>{title}</h3><div class=\"grid\">");
            foreach (int i in rows)
            {
                string name = $"tile_{scores.SourceIndices[i]}.png";
                File.WriteAllBytes(Path.Combine(dir, "tiles", name), Tile(context, i));
                html.Append($"<figure><img class=\"tile\" src=\"tiles/{name}\" width=\"64\" height=\"64\" alt=\"example {scores.SourceIndices[i]}\">" +
                            $"<figcaption>#{scores.SourceIndices[i]} y={scores.Labels[i]}<br>M={F(m[i], "F1")} U={F(u[i], "F1")}</figcaption></figure>");
                page.Tiles++;
            }
            html.Append("</div>");
        }

        // 3. Histogram and per-class
        html.Append("<h2>Distribution of M</h2>");
        var hist = Histogram.Of(finite, 40);
        Figure("m_histogram.svg", new SvgChart($"M at epoch {epochs[last]}", "M (nats)", "examples")
            .Bars(hist.Edges, hist.Counts.Select(x => (double)x).ToArray(), "#4a7ab5")
            .VerticalMarker(q95, "q0.95", "#d9534f").VerticalMarker(q999, "q0.999", "#8e44ad").Render(), "histogram of M");
        html.Append("<table><tr><th>label</th><th>n</th><th>median M</th><th>q0.95 M</th><th>share above overall q0.95</th></tr>");
        var perClass = new List<string> { "label,n,median_M,q95_M,share_above_q95" };
        foreach (var group in Enumerable.Range(0, scores.Count).Where(i => double.IsFinite(m[i])).GroupBy(i => scores.Labels[i]).OrderBy(g => g.Key))
        {
            var values = group.Select(i => m[i]).ToArray();
            double share = values.Count(v => v > q95) / (double)values.Length;
            html.Append($"<tr><td>{group.Key}</td><td>{values.Length}</td><td>{F(Statistics.Quantile(values, 0.5))}</td><td>{F(Statistics.Quantile(values, 0.95))}</td><td>{F(share)}</td></tr>");
            perClass.Add(string.Join(",", group.Key, values.Length, F(Statistics.Quantile(values, 0.5), "R"), F(Statistics.Quantile(values, 0.95), "R"), F(share, "R")));
        }
        html.Append("</table>");
        AtomicFile.WriteAllText(Path.Combine(dir, "per_class.csv"), string.Join("\n", perClass) + "\n");

        // 4. Quantiles against epoch
        var byEpoch = Quantiles.Select(q => epochs.Select((_, col) => Statistics.Quantile(
            Enumerable.Range(0, scores.Count).Select(i => scores.M(i, col)).Where(double.IsFinite).ToArray(), q)).ToArray()).ToArray();
        string[] colors = ["#4a7ab5", "#d9534f", "#8e44ad"];
        var epochSeries = Quantiles.Select((q, k) => new Series($"q{q}", epochs.Select(e => (double)e).ToArray(), byEpoch[k], colors[k])).ToList();
        html.Append("<h2>Memorization over training</h2>");
        var epochChart = new SvgChart("Quantiles of M against epoch", "epoch", "M (nats)");
        epochSeries.ForEach(s => epochChart.Line(s));
        Figure("m_quantiles_by_epoch.svg", epochChart.Render(epochSeries), "quantiles of M against epoch");
        SampleAnalysisSummary? samples = null;
        if (fullFolder is not null)
        {
            OverfittingSection.Append(page, fullManifest!, fullCurves!, fullFolder.Root);
            samples = SampleAnalysisSection.Append(page, context, m, fullFolder, fullManifest!,
                options.Models ?? Models.ModelRegistry.CreateDefault(), options.Datasets ?? Data.DatasetRegistry.CreateDefault(),
                options.CacheDirectory ?? context.Manifest.CacheDirectory ?? Data.DatasetRequest.DefaultCacheDirectory(), options.SampleImages);
        }

        // 5. U bins: regular vs highly memorized
        html.Append("<h2>Memorization is not the same as low likelihood</h2><p>Examples binned by U = log P(x|D); highly memorized = M above its 0.95 quantile.</p>");
        var finiteU = Enumerable.Range(0, scores.Count).Where(i => double.IsFinite(u[i]) && double.IsFinite(m[i])).ToArray();
        var uHist = Histogram.Of(finiteU.Select(i => u[i]).ToArray(), 10);
        html.Append("<table><tr><th>U from</th><th>U to</th><th>regular</th><th>highly memorized</th><th>share memorized</th></tr>");
        var uBins = new List<string> { "u_from,u_to,regular,high,share_high" };
        for (int b = 0; b < uHist.Counts.Length; b++)
        {
            var inBin = finiteU.Where(i => u[i] >= uHist.Edges[b] && (u[i] < uHist.Edges[b + 1] || b == uHist.Counts.Length - 1)).ToArray();
            int high = inBin.Count(i => m[i] > q95);
            double share = inBin.Length == 0 ? double.NaN : high / (double)inBin.Length;
            html.Append($"<tr><td>{F(uHist.Edges[b], "F1")}</td><td>{F(uHist.Edges[b + 1], "F1")}</td><td>{inBin.Length - high}</td><td>{high}</td><td>{F(share)}</td></tr>");
            uBins.Add(string.Join(",", F(uHist.Edges[b], "R"), F(uHist.Edges[b + 1], "R"), inBin.Length - high, high, F(share, "R")));
        }
        html.Append("</table>");
        AtomicFile.WriteAllText(Path.Combine(dir, "u_bins.csv"), string.Join("\n", uBins) + "\n");

        // 8. Membership inference
        html.Append("<h2>Membership inference from the same models</h2><p>Score: a model's log p(x_i); positive: x_i was in its training set.</p>");
        var (allIn, allOut) = perRepeat.Pooled();
        var rocAll = MembershipInference.Roc(allIn, allOut);
        var topExamples = order.Take(Math.Max(1, scores.Count / 20)).ToArray();
        var (topIn, topOut) = perRepeat.Pooled(topExamples);
        var rocTop = MembershipInference.Roc(topIn, topOut);
        html.Append("<table><tr><th>examples</th><th>AUC</th><th>TPR at 1% FPR</th><th>TPR at 0.1% FPR</th></tr>")
            .Append($"<tr><td>all</td><td>{F(rocAll.Auc)}</td><td>{F(rocAll.TprAtFpr(0.01))}</td><td>{F(rocAll.TprAtFpr(0.001))}</td></tr>")
            .Append($"<tr><td>top 5% by M</td><td>{F(rocTop.Auc)}</td><td>{F(rocTop.TprAtFpr(0.01))}</td><td>{F(rocTop.TprAtFpr(0.001))}</td></tr></table>");
        var rocSeries = new List<Series>
        {
            new("all examples", rocAll.FalsePositiveRate, rocAll.TruePositiveRate, "#4a7ab5"),
            new("top 5% by M", rocTop.FalsePositiveRate, rocTop.TruePositiveRate, "#d9534f"),
        };
        var rocChart = new SvgChart("ROC of log p(x) as a membership test", "false positive rate", "true positive rate", 420, 380);
        rocSeries.ForEach(s => rocChart.Line(s));
        Figure("roc.svg", rocChart.Render(rocSeries), "ROC curves");

        // 10. Estimator bias
        html.Append("<h2>Estimator bias</h2><p>Log-mean-exp over m values is biased low by about half the variance of its terms over m; U averages L(K-1) values, V only L, so plain M is biased. Below: quantiles of M recomputed from the first 1..L repeats, and the jackknife-corrected M.</p>");
        var byRepeats = Uncertainty.QuantilesByRepeats(perRepeat, Quantiles);
        var repeatSeries = Quantiles.Select((q, k) => new Series($"q{q}", Enumerable.Range(1, byRepeats.Length).Select(x => (double)x).ToArray(), byRepeats.Select(r => r[k]).ToArray(), colors[k])).ToList();
        var repeatChart = new SvgChart("Quantiles of M against repeats used", "repeats", "M (nats)");
        repeatSeries.ForEach(s => repeatChart.Line(s));
        Figure("m_by_repeats.svg", repeatChart.Render(repeatSeries), "quantiles of M against repeats");
        var jack = uncertainty.JackknifeM.Where(double.IsFinite).ToArray();
        html.Append("<table><tr><th></th><th>median</th><th>q0.95</th><th>q0.999</th></tr>")
            .Append($"<tr><td>plain M</td>{string.Concat(Quantiles.Select(q => $"<td>{F(Statistics.Quantile(finite, q))}</td>"))}</tr>")
            .Append(jack.Length > 0 ? $"<tr><td>jackknife M</td>{string.Concat(Quantiles.Select(q => $"<td>{F(Statistics.Quantile(jack, q))}</td>"))}</tr>" : "")
            .Append("</table>");

        if (options.FullRunDirectory is null)
            html.Append("<p>Give <code>--full FOLDER</code> (a <code>memscore full</code> run of the same data) to add the train/test loss view, " +
                        "the nearest-neighbour test and the C_T data-copying statistic (they need the full model's samples and held-out images).</p>");
        html.Append("</body></html>");
        AtomicFile.WriteAllText(Path.Combine(dir, "index.html"), html.ToString());

        var numbers = new Dictionary<string, object>
        {
            ["tasks"] = results.Count, ["examples"] = scores.Count, ["epoch"] = epochs[last],
            ["m_quantiles"] = Quantiles.Zip(Quantiles.Select(q => Statistics.Quantile(finite, q))).ToDictionary(p => p.First.ToString(CultureInfo.InvariantCulture), p => p.Second),
            ["split_half_spearman"] = uncertainty.SplitHalfSpearman, ["predicted_reliability"] = uncertainty.PredictedReliability,
            ["repeats_for_reliability_0.8"] = uncertainty.RepeatsForReliability08,
            ["spearman_rho_m"] = samples?.SpearmanRhoM ?? double.NaN, ["data_copying_ct"] = samples?.DataCopyingCT ?? double.NaN,
            ["sample_images"] = samples?.Generated ?? "", ["sample_references"] = samples?.References ?? "", ["rho_infinite"] = samples?.InfiniteRho ?? 0,
            ["mia_auc"] = rocAll.Auc, ["mia_tpr_at_1pct"] = rocAll.TprAtFpr(0.01), ["mia_tpr_at_0.1pct"] = rocAll.TprAtFpr(0.001), ["mia_auc_top5pct"] = rocTop.Auc,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "numbers.json"), JsonSerializer.Serialize(numbers, new JsonSerializerOptions
        {
            WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        var uncertaintyCsv = new StringBuilder("index,label,M,standard_error,jackknife_M\n");
        for (int i = 0; i < scores.Count; i++)
            uncertaintyCsv.Append($"{scores.SourceIndices[i]},{scores.Labels[i]},{F(m[i], "R")},{F(uncertainty.StandardError[i], "R")},{F(uncertainty.JackknifeM[i], "R")}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "uncertainty.csv"), uncertaintyCsv.ToString());
        return new ReportOutcome(Path.Combine(dir, "index.html"), page.Figures, page.Tiles, uncertainty, samples);
    }

    static string Row(string key, string value) => ReportPage.Row(key, value);

    static double Median(double[] values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : Statistics.Quantile(finite, 0.5);
    }

    /// <summary>The scored (binarized or dequantized, padded) image of example row <paramref name="row"/>, 2x upscaled, as PNG.</summary>
    static byte[] Tile(RunContext context, int row)
    {
        using var stored = context.Data.ScoredRows([row]);
        using var image = stored[0].permute(1, 2, 0).contiguous();   // [H, W, C]: interleaved channels
        int h = (int)image.shape[0], w = (int)image.shape[1], channels = (int)image.shape[2];
        var pixels = image.data<float>().Select(v => (byte)Math.Clamp(Math.Round(v * 255), 0, 255)).ToArray();
        if (channels == 1) return PngEncoder.Grayscale(PngEncoder.Upscale(pixels, w, h, 2), w * 2, h * 2);
        if (channels == 3) return PngEncoder.Rgb(PngEncoder.Upscale(pixels, w, h, 2, 3), w * 2, h * 2);
        throw new InvalidOperationException($"cannot draw images with {channels} channels");
    }
}
