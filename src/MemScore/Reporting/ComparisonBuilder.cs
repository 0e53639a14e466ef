using System.Globalization;
using System.Net;
using System.Text;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Execution;
using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Reporting;

public sealed record ComparisonOutcome(string IndexPath, int Runs, int Figures);

/// <summary>
/// Several runs side by side, for mitigation experiments (learning rate, epochs, augmentation,
/// deduplicated data): quantile curves and histograms of M overlaid, a table of the settings that
/// differ and of the 0.5/0.95/0.999 quantiles, and (for runs on the same examples) the examples
/// whose M changed most relative to the first run.
/// </summary>
public static class ComparisonBuilder
{
    static readonly string[] Colors = ["#4a7ab5", "#d9534f", "#5cb85c", "#8e44ad", "#f0ad4e", "#333333"];
    static string F(double v) => double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    public static ComparisonOutcome Build(IReadOnlyList<RunContext> runs, string outputDirectory)
    {
        if (runs.Count < 2) throw new InvalidConfigurationException($"runs = {runs.Count}: expected at least 2 run folders to compare");
        Directory.CreateDirectory(Path.Combine(outputDirectory, "figures"));
        var names = runs.Select(r => Path.GetFileName(r.Folder.Root)).ToArray();
        var scores = runs.Select(r => Aggregator.Score(r, Aggregator.FinishedResults(r))).ToArray();
        var lastM = scores.Select(s => Enumerable.Range(0, s.Count).Select(i => s.M(i, s.LastEpochColumn)).ToArray()).ToArray();
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>MemScore comparison</title><style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body><h1>Comparison of runs</h1>");
        int figures = 0;
        void Figure(string name, string svg)
        {
            AtomicFile.WriteAllText(Path.Combine(outputDirectory, "figures", name), svg);
            html.Append($"<img class=\"figure\" src=\"figures/{name}\" alt=\"{name}\">");
            figures++;
        }

        // Settings that differ, and quantiles at the last epoch.
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

        // Quantiles against epoch, overlaid.
        var series = new List<Series>();
        for (int r = 0; r < runs.Count; r++)
            foreach (var (q, dash) in new[] { (0.95, ""), (0.999, " (q0.999)") })
                series.Add(new Series($"{names[r]} q{q}", scores[r].EvaluationEpochs.Select(e => (double)e).ToArray(),
                    Enumerable.Range(0, scores[r].EvaluationEpochs.Length).Select(col => Statistics.Quantile(
                        Enumerable.Range(0, scores[r].Count).Select(i => scores[r].M(i, col)).Where(double.IsFinite).ToArray(), q)).ToArray(),
                    Colors[r % Colors.Length]));
        var quantileChart = new SvgChart("Upper quantiles of M against epoch (upper line per run: q0.999)", "epoch", "M (nats)");
        series.ForEach(s => quantileChart.Line(s));
        Figure("quantiles_by_epoch.svg", quantileChart.Render(series.Where((_, k) => k % 2 == 0).ToList()));

        // Histograms on common bins, drawn as lines.
        var all = lastM.SelectMany(m => m).Where(double.IsFinite).ToArray();
        var edges = Histogram.Of(all, 40).Edges;
        var centres = edges.Zip(edges.Skip(1), (a, b) => (a + b) / 2).ToArray();
        var histSeries = runs.Select((_, r) => new Series(names[r], centres, Counts(lastM[r], edges), Colors[r % Colors.Length])).ToList();
        var histogram = new SvgChart("Distribution of M at each run's last epoch", "M (nats)", "examples");
        histSeries.ForEach(s => histogram.Line(s));
        Figure("m_histograms.svg", histogram.Render(histSeries));

        // Examples whose M changed most, where runs share the examples.
        for (int r = 1; r < runs.Count; r++)
        {
            if (runs[r].Manifest.DatasetHash != runs[0].Manifest.DatasetHash || !scores[r].SourceIndices.SequenceEqual(scores[0].SourceIndices))
            {
                html.Append($"<p>{WebUtility.HtmlEncode(names[r])} scores other examples than {WebUtility.HtmlEncode(names[0])}: no per-example comparison.</p>");
                continue;
            }
            var change = Enumerable.Range(0, scores[0].Count).Where(i => double.IsFinite(lastM[0][i]) && double.IsFinite(lastM[r][i]))
                .OrderByDescending(i => Math.Abs(lastM[r][i] - lastM[0][i])).Take(15).ToArray();
            html.Append($"<h2>Largest changes of M: {WebUtility.HtmlEncode(names[0])} &rarr; {WebUtility.HtmlEncode(names[r])}</h2>")
                .Append("<table class=\"changes\"><tr><th>index</th><th>label</th><th>M before</th><th>M after</th><th>change</th></tr>");
            foreach (int i in change)
                html.Append($"<tr><td>{scores[0].SourceIndices[i]}</td><td>{scores[0].Labels[i]}</td><td>{F(lastM[0][i])}</td><td>{F(lastM[r][i])}</td><td>{F(lastM[r][i] - lastM[0][i])}</td></tr>");
            html.Append("</table>");
        }
        html.Append("</body></html>");
        string index = Path.Combine(outputDirectory, "index.html");
        AtomicFile.WriteAllText(index, html.ToString());
        return new ComparisonOutcome(index, runs.Count, figures);
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
