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

/// <param name="Inference">Intervals, q-values and predicted reliability at the last epoch; null when not available (--in-models, no complete repeat).</param>
public sealed record ReportOutcome(string IndexPath, int Figures, int Tiles, ScoreInference? Inference, SampleAnalysisSummary? Samples = null);

/// <param name="FullRunDirectory">A `memscore full` folder of the same data: adds the overfitting view and the sample-based tests.</param>
/// <param name="Models">Registry to rebuild the full model for sampling (default: the built-in families).</param>
/// <param name="SampleImages">What the nearest-neighbour test and C_T compare (default: decoder means against grey-level images).</param>
/// <param name="Estimator">Which estimator's M the report shows (aggregation only; default the paper's).</param>
public sealed record ReportOptions(string? FullRunDirectory = null, Models.ModelRegistry? Models = null, Data.DatasetRegistry? Datasets = null,
    string? CacheDirectory = null, SampleImages SampleImages = SampleImages.DecoderMeans, EstimatorKind Estimator = EstimatorKind.Paper);

/// <summary>
/// RUN/report/: index.html (opens offline), SVG figures, PNG tiles, and the numbers behind them as
/// JSON/CSV. Built from the task result files alone (no retraining). It leads with what can be said per
/// example: how many examples are memorized at FDR 10% (permutation test + Benjamini-Hochberg) and their
/// grid, or that the design cannot reach significance; then the predicted seed-to-seed reliability of the
/// ranking; then the sections of METHOD.md section 5.
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
        var scores = Aggregator.Score(context, results, options.Estimator);
        var inference = scores.Inference;
        int last = scores.LastEpochColumn;
        var m = Enumerable.Range(0, scores.Count).Select(i => scores.M(i, last)).ToArray();
        var u = Enumerable.Range(0, scores.Count).Select(i => scores.U[i, last]).ToArray();
        var finite = m.Where(double.IsFinite).ToArray();
        double q95 = Statistics.Quantile(finite, 0.95), q999 = Statistics.Quantile(finite, 0.999);
        var perRepeat = PerRepeatValues.From(results, context.Plan.Repeats, context.Plan.Count, last);
        var modelValues = context.InModels is null ? ModelValues.From(results, context.Plan, last) : null;

        var page = new ReportPage(dir);
        var html = page.Html;
        void Figure(string name, string svg, string alt) => page.Figure(name, svg, alt);

        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>MemScore report</title><style>")
            .Append("body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
            .Append(".grid{display:flex;flex-wrap:wrap;gap:6px}figure{margin:0;text-align:center;font-size:11px}.warn{background:#fff3cd;padding:.6em;border:1px solid #e0b000}")
            .Append(".lead{background:#eef5ff;padding:.6em;border:1px solid #4a7ab5}")
            .Append("</style></head><body><h1>Memorization report</h1>");

        // 0. What can be said per example, first.
        html.Append("<div class=\"lead\">");
        var memorized = inference?.Memorized() ?? [];
        if (inference is null)
            html.Append("<p><b>No per-example test:</b> intervals, p-values and q-values need every model's log p of every example " +
                        "(not available with --in-models or before one repeat is complete).</p>");
        else
        {
            html.Append($"<p class=\"significance\"><b>{WebUtility.HtmlEncode(inference.SignificanceSentence(scores.Count))}</b></p>")
                .Append($"<p>{WebUtility.HtmlEncode(inference.ReliabilitySentence())}</p>");
            if (memorized.Length > 0)
            {
                html.Append($"<p>The {Math.Min(TilesPerGrid, memorized.Length)} most significant (q &le; {inference.Fdr:G2}), with the {F(inference.IntervalLevel * 100, "F1")}% interval for M:</p><div class=\"grid\">");
                foreach (int i in memorized.Take(TilesPerGrid))
                {
                    string name = $"tile_{scores.SourceIndices[i]}.png";
                    File.WriteAllBytes(Path.Combine(dir, "tiles", name), Tile(context, i));
                    html.Append($"<figure><img class=\"tile\" src=\"tiles/{name}\" width=\"64\" height=\"64\" alt=\"example {scores.SourceIndices[i]}\">" +
                                $"<figcaption>#{scores.SourceIndices[i]} y={scores.Labels[i]}<br>M={F(m[i], "F1")} [{F(inference.Lower[i], "F1")}, {F(inference.Upper[i], "F1")}]<br>q={F(inference.Q[i], "G2")}</figcaption></figure>");
                    page.Tiles++;
                }
                html.Append("</div>");
            }
        }
        html.Append("</div>");

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
        if (inference is not null)
        {
            if (inference.RankingMostlyNoise)
                html.Append($"<p class=\"warn\"><b>Warning:</b> {WebUtility.HtmlEncode(char.ToLowerInvariant(inference.ReliabilitySentence()[0]) + inference.ReliabilitySentence()[1..])} Quantiles of M are stable; individual ranks are not. " +
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
        bool paper = options.Estimator == EstimatorKind.Paper;
        string level = inference is null || double.IsNaN(inference.IntervalLevel) ? "" : $" ({F(inference.IntervalLevel * 100, "F1")}%)";
        html.Append($"<h3>Top 15 by M ({Estimators.Name(options.Estimator)} estimator) with intervals and q-values</h3><table class=\"top\"><tr><th>rank</th><th>index</th><th>label</th><th>M</th>" +
                    $"<th>interval for M{level}</th><th>q</th>{(paper ? "<th>M expected with no memorization (null bias)</th>" : "")}</tr>");
        foreach (var (i, rank) in order.Take(TilesPerGrid).Select((i, r) => (i, r + 1)))
            html.Append($"<tr><td>{rank}</td><td>{scores.SourceIndices[i]}</td><td>{scores.Labels[i]}</td><td>{F(m[i])}</td>" +
                        $"<td>{(inference is null ? "n/a" : $"{F(inference.Lower[i])} .. {F(inference.Upper[i])}")}</td><td>{(inference is null ? "n/a" : F(inference.Q[i], "G3"))}</td>" +
                        $"{(paper ? $"<td>{(inference is null ? "n/a" : F(inference.NullBias[i]))}</td>" : "")}</tr>");
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
        var split = modelValues is null ? null : MembershipInference.TopBySplitRepeats(modelValues, 0.05);
        html.Append("<table><tr><th>examples</th><th>AUC</th><th>TPR at 1% FPR</th><th>TPR at 0.1% FPR</th></tr>")
            .Append($"<tr><td>all</td><td>{F(rocAll.Auc)}</td><td>{F(rocAll.TprAtFpr(0.01))}</td><td>{F(rocAll.TprAtFpr(0.001))}</td></tr>");
        if (split is { } top)
            html.Append($"<tr><td>top 5% by M (chosen on repeats 1-{top.SelectionRepeats}, scored on the others)</td><td>{F(top.Roc.Auc)}</td><td>{F(top.Roc.TprAtFpr(0.01))}</td><td>{F(top.Roc.TprAtFpr(0.001))}</td></tr>");
        html.Append("</table>");
        html.Append(split is null
            ? "<p>The top-5% row needs two complete repeats (the examples are chosen on some repeats and scored on others).</p>"
            : "<p>The top 5% are chosen by M on the first half of the repeats and scored on the other half: chosen and scored on the same values, " +
              "the AUC is high by construction (0.61-0.66 with no memorization at all); split, it is 0.5 without memorization (tested on simulated runs).</p>");
        var rocSeries = new List<Series> { new("all examples", rocAll.FalsePositiveRate, rocAll.TruePositiveRate, "#4a7ab5") };
        if (split is { } chosen) rocSeries.Add(new("top 5% by M (split repeats)", chosen.Roc.FalsePositiveRate, chosen.Roc.TruePositiveRate, "#d9534f"));
        var rocChart = new SvgChart("ROC of log p(x) as a membership test", "false positive rate", "true positive rate", 420, 380);
        rocSeries.ForEach(s => rocChart.Line(s));
        Figure("roc.svg", rocChart.Render(rocSeries), "ROC curves");

        // 10. Estimator bias
        html.Append("<h2>Estimator bias</h2><p>The paper's U averages L(K-1) in-values and V only L out-values; log-mean-exp of fewer values is lower in expectation, " +
                    "so with no memorization at all the paper's M is positive, more so for examples whose log p varies more between models. The balanced estimator " +
                    "(<code>--estimator balanced</code>) uses L in-values per grouping (one per repeat), so its M is 0 in expectation without memorization. " +
                    "Below: quantiles of M recomputed from the first 1..L repeats, and of the null bias (the paper's M expected with no memorization, from relabelling each example's values).</p>");
        var byRepeats = Uncertainty.QuantilesByRepeats(perRepeat, Quantiles);
        var repeatSeries = Quantiles.Select((q, k) => new Series($"q{q}", Enumerable.Range(1, byRepeats.Length).Select(x => (double)x).ToArray(), byRepeats.Select(r => r[k]).ToArray(), colors[k])).ToList();
        var repeatChart = new SvgChart("Quantiles of the paper's M against repeats used", "repeats", "M (nats)");
        repeatSeries.ForEach(s => repeatChart.Line(s));
        Figure("m_by_repeats.svg", repeatChart.Render(repeatSeries), "quantiles of M against repeats");
        var paperM = perRepeat.Memorization();
        var balancedM = modelValues is null ? null : Estimators.Compute(modelValues, EstimatorKind.Balanced, c.Seed).M;
        string QuantileCells(double[]? values)
        {
            var finiteValues = values?.Where(double.IsFinite).ToArray() ?? [];
            return finiteValues.Length == 0 ? string.Concat(Quantiles.Select(_ => "<td>n/a</td>")) : string.Concat(Quantiles.Select(q => $"<td>{F(Statistics.Quantile(finiteValues, q))}</td>"));
        }
        html.Append("<table class=\"bias\"><tr><th></th><th>median</th><th>q0.95</th><th>q0.999</th></tr>")
            .Append($"<tr><td>paper M</td>{QuantileCells(paperM)}</tr>")
            .Append($"<tr><td>null bias of the paper's M</td>{QuantileCells(inference?.NullBias)}</tr>")
            .Append($"<tr><td>balanced M</td>{QuantileCells(balancedM)}</tr>")
            .Append("</table>");
        if (inference is not null)
        {
            var pairs = Enumerable.Range(0, scores.Count).Where(i => double.IsFinite(paperM[i]) && double.IsFinite(inference.NullBias[i])).ToArray();
            if (pairs.Length > 2)
                html.Append($"<p>Spearman correlation of the paper's M with its null bias: {F(Statistics.Spearman(pairs.Select(i => paperM[i]).ToArray(), pairs.Select(i => inference.NullBias[i]).ToArray()))} " +
                            "(the part of the ranking that follows how much models disagree on an example, not memorization).</p>");
        }

        if (options.FullRunDirectory is null)
            html.Append("<p>Give <code>--full FOLDER</code> (a <code>memscore full</code> run of the same data) to add the train/test loss view, " +
                        "the nearest-neighbour test and the C_T data-copying statistic (they need the full model's samples and held-out images).</p>");
        html.Append("</body></html>");
        AtomicFile.WriteAllText(Path.Combine(dir, "index.html"), html.ToString());

        var numbers = new Dictionary<string, object>
        {
            ["tasks"] = results.Count, ["examples"] = scores.Count, ["epoch"] = epochs[last],
            ["m_quantiles"] = Quantiles.Zip(Quantiles.Select(q => Statistics.Quantile(finite, q))).ToDictionary(p => p.First.ToString(CultureInfo.InvariantCulture), p => p.Second),
            ["estimator"] = Estimators.Name(options.Estimator),
            ["predicted_seed_to_seed_spearman"] = inference?.PredictedReliability ?? double.NaN, ["pearson_reliability"] = inference?.PearsonReliability ?? double.NaN,
            ["memorized_at_fdr_0.1"] = inference?.Discoveries ?? -1, ["min_attainable_p"] = inference?.MinAttainableP ?? double.NaN,
            ["interval_level"] = inference?.IntervalLevel ?? double.NaN,
            ["spearman_rho_m"] = samples?.SpearmanRhoM ?? double.NaN, ["data_copying_ct"] = samples?.DataCopyingCT ?? double.NaN,
            ["sample_images"] = samples?.Generated ?? "", ["sample_references"] = samples?.References ?? "", ["rho_infinite"] = samples?.InfiniteRho ?? 0,
            ["mia_auc"] = rocAll.Auc, ["mia_tpr_at_1pct"] = rocAll.TprAtFpr(0.01), ["mia_tpr_at_0.1pct"] = rocAll.TprAtFpr(0.001), ["mia_auc_top5pct_split"] = split?.Roc.Auc ?? double.NaN,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "numbers.json"), JsonSerializer.Serialize(numbers, new JsonSerializerOptions
        {
            WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        var uncertaintyCsv = new StringBuilder("index,label,M,M_lo,M_hi,p,q,null_bias,shift_estimate,M_balanced\n");
        for (int i = 0; i < scores.Count; i++)
            uncertaintyCsv.Append($"{scores.SourceIndices[i]},{scores.Labels[i]},{F(m[i], "R")},{F(inference?.Lower[i] ?? double.NaN, "R")},{F(inference?.Upper[i] ?? double.NaN, "R")}," +
                                  $"{F(inference?.P[i] ?? double.NaN, "R")},{F(inference?.Q[i] ?? double.NaN, "R")},{F(inference?.NullBias[i] ?? double.NaN, "R")}," +
                                  $"{F(inference?.Shift[i] ?? double.NaN, "R")},{F(balancedM?[i] ?? double.NaN, "R")}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "uncertainty.csv"), uncertaintyCsv.ToString());
        return new ReportOutcome(Path.Combine(dir, "index.html"), page.Figures, page.Tiles, inference, samples);
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
        using var scope = NewDisposeScope();   // owns stored[0] and the permuted view (FinalizerTensorTests)
        var stored = context.Data.ScoredRows([row]);
        var image = stored[0].permute(1, 2, 0).contiguous();   // [H, W, C]: interleaved channels
        int h = (int)image.shape[0], w = (int)image.shape[1], channels = (int)image.shape[2];
        var pixels = image.data<float>().Select(v => (byte)Math.Clamp(Math.Round(v * 255), 0, 255)).ToArray();
        if (channels == 1) return PngEncoder.Grayscale(PngEncoder.Upscale(pixels, w, h, 2), w * 2, h * 2);
        if (channels == 3) return PngEncoder.Rgb(PngEncoder.Upscale(pixels, w, h, 2, 3), w * 2, h * 2);
        throw new InvalidOperationException($"cannot draw images with {channels} channels");
    }
}
