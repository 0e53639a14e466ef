using System.Globalization;
using System.Text;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Storage;
using static TorchSharp.torch;

namespace MemScore.Reporting;

/// <summary>What the sample-based tests found, for numbers.json and the CLI.</summary>
public sealed record SampleAnalysisSummary(int Samples, int Matched, double SpearmanRhoM, double DataCopyingCT, int Cells, int CellsDropped);

/// <summary>
/// Report sections 6 and 7: the nearest-neighbour test done right and the C_T data-copying
/// statistic, both on samples of the full model (trained on the full run's training examples).
/// rho_i = d(x_i, nearest test image) / d(x_i, nearest sample) on 2x down-sampled images with as
/// many samples as test images (METHOD.md section 5); each row its own minimum (defect 1), high =
/// M above its 0.95 quantile (defect 2).
/// </summary>
public static class SampleAnalysisSection
{
    static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    public static SampleAnalysisSummary? Append(ReportPage page, RunContext run, double[] m, FullRunFolder folder, FullRunFolder.Manifest manifest,
        ModelRegistry models, DatasetRegistry datasets, string cache)
    {
        var html = page.Html;
        html.Append("<h2>Nearest-neighbour test and data copying (samples of the full model)</h2>");
        var family = models.Get(manifest.Config.Model);
        using var model = family.Create(manifest.Config.ModelContextFor(run.Data.ImageShape, initSeed: 0));
        if (model is not ISampleableModel sampler || model is not ICheckpointable loadable || !File.Exists(folder.ModelPath))
        {
            html.Append($"<p>Not available: model {manifest.Config.Model} cannot draw samples or the full run has no model.npz.</p>");
            return null;
        }
        loadable.LoadState(Npz.Read(folder.ModelPath), folder.ModelPath);
        using var split = FullRunSplit.Prepare(manifest.Config, datasets, cache, family.Input, manifest.TestFraction);
        using var training = split.Train.ScoredRows(split.TrainRows);
        using var test = split.Test.ScoredRows(split.TestRows);
        int count = NearestNeighbours.SamplesNeeded(split.TestRows.Length);
        using var generator = new Generator((ulong)new SeedSchedule(run.Config.Seed).ReportSamples);
        using var samples = sampler.Sample(count, generator, stochastic: true);
        using var drawn = Redraw(samples, family.Input, generator);

        var ratios = NearestNeighbours.DistanceRatios(training, test, drawn);
        var rowOf = new Dictionary<int, int>();
        for (int i = 0; i < run.Data.SourceIndices.Length; i++) rowOf[run.Data.SourceIndices[i]] = i;
        var matched = Enumerable.Range(0, split.TrainRows.Length)
            .Select(k => (k, Row: rowOf.GetValueOrDefault(split.Train.SourceIndices[split.TrainRows[k]], -1))).Where(p => p.Row >= 0).ToArray();
        var rho = matched.Select(p => ratios.Rho[p.k]).ToArray();
        var mMatched = matched.Select(p => m[p.Row]).ToArray();
        html.Append($"<p>{count} stochastic samples (z ~ N(0, I), then x ~ p(x|z), in the data's {InputKindNames.ToName(family.Input)} form) of the full model; " +
                    $"{split.TestRows.Length} test images ({System.Net.WebUtility.HtmlEncode(manifest.TestSource)}); {matched.Length} training images of the full model also scored in this run.</p>");
        if (matched.Length < 10)
        {
            html.Append("<p>Too few training images of the full model are in this run to compare rho with M; use the same data settings for both.</p>");
            return null;
        }
        var summary = RhoAnalysis.Summarize(rho, mMatched);
        AppendRho(page, summary);
        WriteRhoCsv(page, run, matched.Select(p => p.Row).ToArray(), ratios, matched.Select(p => p.k).ToArray(), m);

        int cells = Math.Clamp(count / 100, 2, 50);
        using var trainingDown = NearestNeighbours.Downsample2x(training);
        using var testDown = NearestNeighbours.Downsample2x(test);
        using var samplesDown = NearestNeighbours.Downsample2x(drawn);
        var copying = DataCopying.Statistic(trainingDown, testDown, samplesDown, cells, new SeedSchedule(run.Config.Seed).ReportCopyingCells);
        html.Append("<h3>C_T data-copying statistic (Meehan et al. 2020)</h3>")
            .Append($"<p>k-means with {cells} cells on the down-sampled training images; per cell a Mann-Whitney z of the distances to the nearest training image, " +
                    $"samples against test images; C_T = test-share weighted mean z over cells with at least {copying.MinGeneratedPerCell} samples " +
                    $"({copying.CellsDropped} of {copying.Cells.Length} cells dropped). Clearly negative C_T (below about -3) means samples sit closer to the training data than test data do: copying.</p>")
            .Append($"<table><tr><th>C_T</th><td>{F(copying.CT)}</td></tr></table>");
        return new SampleAnalysisSummary(count, matched.Length, summary.Spearman, copying.CT, copying.Cells.Length, copying.CellsDropped);
    }

    /// <summary>Samples in the form the data was scored in (binary draws or dequantized values), so distances compare like with like.</summary>
    static Tensor Redraw(Tensor intensities, InputKind input, Generator generator) => input switch
    {
        InputKind.Binary => intensities.bernoulli(generator),
        InputKind.Dequantized => ImageTransforms.Dequantize(intensities, generator),
        _ => ImageTransforms.QuantizeTo8Bit(intensities),
    };

    static void AppendRho(ReportPage page, RhoByMemorization s)
    {
        var html = page.Html;
        html.Append($"<p>Spearman(rho, M) = <b>{F(s.Spearman)}</b>; Mann-Whitney of regular vs highly memorized rho: z = {F(s.RegularVsHigh.Z)}, p = {F(s.RegularVsHigh.TwoSidedP, "G3")}. " +
                    "If rho were what M measures, highly memorized examples would have clearly larger rho (a sample closer than any test image).</p>");
        html.Append("<table><tr><th>group</th><th>n</th>").Append(string.Concat(s.QuantileLevels.Select(q => $"<th>rho q{q}</th>"))).Append("</tr>");
        foreach (var (name, group) in new[] { ("regular", s.Regular), ($"highly memorized (M > {F(s.HighThreshold)})", s.High) })
            html.Append($"<tr><td>{name}</td><td>{group.Count}</td>").Append(string.Concat(group.Quantiles.Select(q => $"<td>{F(q)}</td>"))).Append("</tr>");
        html.Append("</table>");
        double[] centres = s.HistogramEdges.Zip(s.HistogramEdges.Skip(1), (a, b) => (a + b) / 2).ToArray();
        double[] Density(RhoGroup g) => g.HistogramCounts.Select(c => g.Count == 0 ? 0 : c / (double)g.Count).ToArray();
        var histogram = new List<Series>
        {
            new("regular", centres, Density(s.Regular), "#4a7ab5"),
            new("highly memorized", centres, Density(s.High), "#d9534f"),
        };
        var chart = new SvgChart("rho for regular and highly memorized examples", "rho = d(test) / d(sample)", "share of the group");
        histogram.ForEach(x => chart.Line(x));
        page.Figure("rho_by_group.svg", chart.Render(histogram), "distribution of rho, regular vs highly memorized");
        double[] binCentre = s.Bins.Select(b => (b.MemorizationLow + b.MemorizationHigh) / 2).ToArray();
        var bins = new List<Series>
        {
            new("mean rho", binCentre, s.Bins.Select(b => b.MeanRho).ToArray(), "#4a7ab5"),
            new("95% interval", binCentre, s.Bins.Select(b => b.Lower95).ToArray(), "#999999"),
            new("95% interval (upper)", binCentre, s.Bins.Select(b => b.Upper95).ToArray(), "#999999"),
        };
        var binChart = new SvgChart("Mean rho per bin of M (equal counts)", "M (nats, bin centre)", "mean rho");
        bins.ForEach(x => binChart.Line(x));
        page.Figure("rho_by_m_bin.svg", binChart.Render(bins.Take(2).ToList()), "mean rho per bin of M with 95% intervals");
    }

    static void WriteRhoCsv(ReportPage page, RunContext run, int[] rows, NearestNeighbourRatios ratios, int[] ratioIndex, double[] m)
    {
        var csv = new StringBuilder("index,label,M,rho,distance_to_test,distance_to_sample\n");
        for (int j = 0; j < rows.Length; j++)
        {
            int i = rows[j], k = ratioIndex[j];
            csv.Append(CultureInfo.InvariantCulture, $"{run.Data.SourceIndices[i]},{run.Data.Labels[i]},{F(m[i], "R")},{F(ratios.Rho[k], "R")},")
               .Append(CultureInfo.InvariantCulture, $"{F(ratios.ToValidation.Distance[k], "R")},{F(ratios.ToSamples.Distance[k], "R")}\n");
        }
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "rho.csv"), csv.ToString());
    }
}
