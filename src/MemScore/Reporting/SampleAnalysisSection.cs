using System.Globalization;
using System.Text;
using MemScore.Analysis;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Reporting.Figures;
using MemScore.Storage;
using static TorchSharp.torch;

namespace MemScore.Reporting;

/// <summary>Which images of the full model the nearest-neighbour test and C_T compare with which data images.</summary>
internal enum SampleImages
{
    /// <summary>
    /// The paper's way (default): the decoder mean of each latent draw z ~ N(0, I) against the grey-level
    /// (8-bit, not binarized or dequantized) images. A model without a decoder mean (a flow) gives its samples.
    /// </summary>
    DecoderMeans,
    /// <summary>
    /// Stochastic samples x ~ p(x|z), redrawn into the data's scored form (binary draws, dequantized values),
    /// against the scored images: sampling noise on both sides lowers rho and raises C_T.
    /// </summary>
    StochasticSamples,
}

/// <summary>What the sample-based tests found, for numbers.json and the CLI.</summary>
/// <param name="Generated">What was compared: "decoder means", "model samples" (no decoder mean) or "stochastic samples".</param>
/// <param name="References">The form of the data images: "grey-level" or "scored".</param>
/// <param name="InfiniteRho">Training images (of those matched) with rho = +Infinity: a generated image at distance 0.</param>
/// <param name="Neighbours">Each example's nearest training and generated images, for the explorer's detail panel.</param>
internal sealed record SampleAnalysisSummary(int Samples, int Matched, double SpearmanRhoM, double DataCopyingCT, int Cells, int CellsDropped,
    string Generated = "decoder means", string References = "grey-level", int InfiniteRho = 0, Explorer.ExplorerNeighbours? Neighbours = null);

/// <summary>The full model's images for the sample-based tests and whether they are compared with grey-level images.</summary>
internal sealed record GeneratedImages(Tensor Images, string Name, bool GreyReferences) : IDisposable
{
    public void Dispose() => Images.Dispose();
}

/// <summary>
/// Report sections 6 and 7: the nearest-neighbour test done right and the C_T data-copying
/// statistic, both on images of the full model (trained on the full run's training examples).
/// rho_i = d(x_i, nearest test image) / d(x_i, nearest generated image) on 2x down-sampled images with
/// as many generated images as test images (METHOD.md section 5); each row its own minimum (defect 1),
/// high = M above its 0.95 quantile (defect 2). By default the generated images are decoder means and the
/// data images grey levels, as in the paper (<see cref="SampleImages"/>); rho = +Infinity (a generated image
/// equal to x_i) is kept as the highest rho and counted.
/// </summary>
internal static class SampleAnalysisSection
{
    static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    /// <summary>rho.csv's form of a value: "inf" for +Infinity (numpy and pandas read it), round-trip digits otherwise.</summary>
    static string Csv(double v) => double.IsPositiveInfinity(v) ? "inf" : F(v, "R");

    /// <summary>
    /// <paramref name="count"/> images of <paramref name="sampler"/> for <paramref name="mode"/>, all draws from
    /// <paramref name="generator"/>: decoder means where the model has them (else its samples, not redrawn), or
    /// stochastic samples redrawn into the scored form of <paramref name="input"/>.
    /// </summary>
    public static GeneratedImages Generate(ISampleableModel sampler, InputKind input, int count, Generator generator, SampleImages mode)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        switch (mode)
        {
            case SampleImages.DecoderMeans:
                return sampler is IDecoderMeanModel means
                    ? new GeneratedImages(means.DecoderMeans(count, generator), "decoder means", GreyReferences: true)
                    : new GeneratedImages(sampler.Sample(count, generator, stochastic: true), "model samples", GreyReferences: true);
            case SampleImages.StochasticSamples:
            {
                using var samples = sampler.Sample(count, generator, stochastic: true);
                return new GeneratedImages(Redraw(samples, input, generator), "stochastic samples", GreyReferences: false);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
        }
    }

    public static SampleAnalysisSummary? Append(ReportPage page, RunContext run, double[] m, FullRunFolder folder, FullRunFolder.Manifest manifest,
        ModelRegistry models, DatasetRegistry datasets, string cache, SampleImages mode = SampleImages.DecoderMeans)
    {
        var html = page.Html;
        html.Append("<h2>Nearest-neighbour test and data copying (generated images of the full model)</h2>");
        var family = models.Get(manifest.Config.Model);
        var input = family.InputFor(manifest.Config.ModelOptions);
        using var model = family.Create(manifest.Config.ModelContextFor(run.Data.ImageShape, initSeed: 0));
        if (model is not ISampleableModel sampler || model is not ICheckpointable loadable || !File.Exists(folder.ModelPath))
        {
            html.Append($"<p>Not available: model {manifest.Config.Model} cannot draw samples or the full run has no model.npz.</p>");
            return null;
        }
        loadable.LoadState(Npz.Read(folder.ModelPath), folder.ModelPath);
        using var split = FullRunSplit.Prepare(manifest.Config, datasets, cache, input, manifest.TestFraction,
            greyLevels: mode == SampleImages.DecoderMeans, recorded: folder.RecordedDedup(manifest.Config));
        int count = NearestNeighbours.SamplesNeeded(split.TestRows.Length);
        using var generator = new Generator((ulong)new SeedSchedule(run.Config.Seed).ReportSamples);
        using var generated = Generate(sampler, input, count, generator, mode);
        using var training = generated.GreyReferences ? split.Train.GreyRows(split.TrainRows) : split.Train.ScoredRows(split.TrainRows);
        using var test = generated.GreyReferences ? split.Test.GreyRows(split.TestRows) : split.Test.ScoredRows(split.TestRows);
        var drawn = generated.Images;

        var ratios = NearestNeighbours.DistanceRatios(training, test, drawn);
        var rowOf = new Dictionary<int, int>();
        for (int i = 0; i < run.Data.SourceIndices.Length; i++) rowOf[run.Data.SourceIndices[i]] = i;
        var matched = Enumerable.Range(0, split.TrainRows.Length)
            .Select(k => (k, Row: rowOf.GetValueOrDefault(split.Train.SourceIndices[split.TrainRows[k]], -1))).Where(p => p.Row >= 0).ToArray();
        var rho = matched.Select(p => ratios.Rho[p.k]).ToArray();
        var mMatched = matched.Select(p => m[p.Row]).ToArray();
        string what = generated.Name switch
        {
            "decoder means" => $"{count} decoder means of the full model (z ~ N(0, I), image = the decoder's mean given z, no sampling noise), " +
                               "compared with the grey-level images (8-bit, before binarization or dequantization), as in the paper",
            "model samples" => $"{count} samples of the full model (it has no decoder mean), compared with the grey-level images (8-bit, before binarization or dequantization)",
            _ => $"{count} stochastic samples of the full model (z ~ N(0, I), then x ~ p(x|z), in the data's {InputKindNames.ToName(input)} form), " +
                 "compared with the scored images (requested with --stochastic-samples; sampling noise on both sides lowers rho and raises C_T)",
        };
        string references = generated.GreyReferences ? "grey-level" : "scored";
        html.Append($"<p>{what}; {split.TestRows.Length} test images ({System.Net.WebUtility.HtmlEncode(manifest.TestSource)}); " +
                    $"{matched.Length} training images of the full model also scored in this run.</p>");
        if (matched.Length < 10)
        {
            html.Append("<p>Too few training images of the full model are in this run to compare rho with M; use the same data settings for both.</p>");
            return null;
        }
        var summary = RhoAnalysis.Summarize(rho, mMatched);
        AppendRho(page, summary, generated.Name, rho, mMatched);
        WriteRhoCsv(page, run, matched.Select(p => p.Row).ToArray(), ratios, matched.Select(p => p.k).ToArray(), m);
        var neighbours = Neighbours(run, training, drawn, generated.Name, matched);

        int cells = Math.Clamp(count / 100, 2, 50);
        using var trainingDown = NearestNeighbours.Downsample2x(training);
        using var testDown = NearestNeighbours.Downsample2x(test);
        using var samplesDown = NearestNeighbours.Downsample2x(drawn);
        var copying = DataCopying.Statistic(trainingDown, testDown, samplesDown, cells, new SeedSchedule(run.Config.Seed).ReportCopyingCells);
        html.Append("<h3>C_T data-copying statistic (Meehan et al. 2020)</h3>")
            .Append($"<p>k-means with {cells} cells on the down-sampled training images; per cell a Mann-Whitney z of the distances to the nearest training image, " +
                    $"{generated.Name} against test images ({references} images); C_T = test-share weighted mean z over cells with at least {copying.MinGeneratedPerCell} generated images " +
                    $"({copying.CellsDropped} of {copying.Cells.Length} cells dropped). Clearly negative C_T (below about -3) means samples sit closer to the training data than test data do: copying.</p>")
            .Append($"<table><tr><th>C_T</th><td>{F(copying.CT)}</td></tr></table>");
        return new SampleAnalysisSummary(count, matched.Length, summary.Spearman, copying.CT, copying.Cells.Length, copying.CellsDropped,
            generated.Name, references, summary.Infinite, neighbours);
    }

    static Explorer.ExplorerNeighbours Neighbours(RunContext run, Tensor training, Tensor drawn, string generatedName, (int k, int Row)[] matched)
    {
        using var scope = NewDisposeScope();
        var images = training.index_select(0, tensor(matched.Select(p => (long)p.k).ToArray()));
        return Explorer.ExplorerNeighbours.Compute(run.Data.SourceIndices.Length, matched.Select(p => p.Row).ToArray(), images, drawn, generatedName);
    }

    /// <summary>Samples in the form the data was scored in (binary draws or dequantized values), so distances compare like with like.</summary>
    static Tensor Redraw(Tensor intensities, InputKind input, Generator generator) => input switch
    {
        InputKind.Binary => intensities.bernoulli(generator),
        InputKind.Dequantized => ImageTransforms.Dequantize(intensities, generator),
        _ => ImageTransforms.QuantizeTo8Bit(intensities),
    };

    static string Rho(double v) => double.IsPositiveInfinity(v) ? "+inf" : F(v);

    static void AppendRho(ReportPage page, RhoByMemorization s, string generatedName, double[] rho, double[] m)
    {
        var html = page.Html;
        html.Append($"<p>Spearman(rho, M) = <b>{F(s.Spearman)}</b>; Mann-Whitney of regular vs highly memorized rho: z = {F(s.RegularVsHigh.Z)}, p = {F(s.RegularVsHigh.TwoSidedP, "G3")}. " +
                    $"If rho were what M measures, highly memorized examples would have clearly larger rho (a generated image closer than any test image).</p>");
        html.Append($"<p><b>{s.Infinite}</b> training image{(s.Infinite == 1 ? " has" : "s have")} rho = +inf (one of the {generatedName} is identical to it, distance 0: " +
                    "the strongest evidence of copying); they count as the highest rho in the rank statistics and are listed per group below" +
                    (s.Excluded > 0 ? $"; {s.Excluded} left out (M not finite, or x_i at distance 0 from a test image too)" : "") + ".</p>");
        html.Append("<table><tr><th>group</th><th>n</th>").Append(string.Concat(s.QuantileLevels.Select(q => $"<th>rho q{q}</th>"))).Append("<th>rho = +inf</th></tr>");
        foreach (var (name, group) in new[] { ("regular", s.Regular), ($"highly memorized (M > {F(s.HighThreshold)})", s.High) })
            html.Append($"<tr><td>{name}</td><td>{group.Count}</td>").Append(string.Concat(group.Quantiles.Select(q => $"<td>{Rho(q)}</td>")))
                .Append($"<td>{group.Infinite}</td></tr>");
        html.Append("</table>");
        page.Html.Append("<div class=\"charts\">");
        RhoFigures.Histograms(page, s);
        RhoFigures.AgainstM(page, s, rho, m);
        page.Html.Append("</div>");
    }

    static void WriteRhoCsv(ReportPage page, RunContext run, int[] rows, NearestNeighbourRatios ratios, int[] ratioIndex, double[] m)
    {
        var csv = new StringBuilder("index,label,M,rho,distance_to_test,distance_to_sample\n");
        for (int j = 0; j < rows.Length; j++)
        {
            int i = rows[j], k = ratioIndex[j];
            csv.Append(CultureInfo.InvariantCulture, $"{run.Data.SourceIndices[i]},{run.Data.Labels[i]},{F(m[i], "R")},{Csv(ratios.Rho[k])},")
               .Append(CultureInfo.InvariantCulture, $"{F(ratios.ToValidation.Distance[k], "R")},{F(ratios.ToSamples.Distance[k], "R")}\n");
        }
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "rho.csv"), csv.ToString());
    }
}
