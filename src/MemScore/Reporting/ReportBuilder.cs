using MemScore.Analysis;
using MemScore.Execution;
using MemScore.Memorization;
using MemScore.Reporting.Explorer;
using MemScore.Reporting.Sections;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <param name="Inference">Intervals, q-values and predicted reliability at the last epoch; null when not available (--in-models, no complete repeat).</param>
internal sealed record ReportOutcome(string IndexPath, int Figures, int Tiles, ScoreInference? Inference, SampleAnalysisSummary? Samples = null);

/// <param name="FullRunDirectory">A `memscore full` folder of the same data: adds the overfitting view and the sample-based tests.</param>
/// <param name="Models">Registry to rebuild the full model for sampling (default: the built-in families).</param>
/// <param name="SampleImages">What the nearest-neighbour test and C_T compare (default: decoder means against grey-level images).</param>
/// <param name="Estimator">Which estimator's M the report shows (aggregation only; default the paper's).</param>
internal sealed record ReportOptions(string? FullRunDirectory = null, Models.ModelRegistry? Models = null, Data.DatasetRegistry? Datasets = null,
    string? CacheDirectory = null, SampleImages SampleImages = SampleImages.DecoderMeans, EstimatorKind Estimator = EstimatorKind.Paper);

/// <summary>
/// RUN/report/: index.html (opens offline), figures (SVG, PNG and the CSV of their numbers), PNG
/// tiles, the example explorer, and numbers.json/CSV. The statistics are computed once
/// (<see cref="ReportNumbers"/>); each section only draws them. Built from the task result files alone (no retraining). It leads with what can be said per
/// example: how many examples are memorized at FDR 10% (permutation test + Benjamini-Hochberg) and their
/// grid, or that the design cannot reach significance; then the predicted seed-to-seed reliability of the
/// ranking; then the sections of METHOD.md section 5.
/// </summary>
internal static class ReportBuilder
{
    public static ReportOutcome Build(RunContext context, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new ReportOptions();
        // A bad --full folder is refused before anything is written.
        var fullFolder = options.FullRunDirectory is string fullRoot ? new FullRunFolder(fullRoot) : null;
        var fullManifest = fullFolder?.ReadManifest();
        var fullCurves = fullFolder?.ReadCurves(fullManifest!);
        var numbers = ReportNumbers.Compute(context, options.Estimator);
        string dir = Path.Combine(context.Folder.Root, "report");
        Directory.CreateDirectory(Path.Combine(dir, "figures"));
        Directory.CreateDirectory(Path.Combine(dir, "tiles"));

        var page = new ReportPage(dir);
        page.Begin("Memorization report", ExplorerData.Head);
        LeadSection.Append(page, context, numbers);
        RunSection.Append(page, numbers.Run);
        page.Html.Append("<p><a href=\"#explorer\">Explore every example &darr;</a></p>");
        TrustSection.Append(page, numbers);
        GridsSection.Append(page, context, numbers);
        DistributionSection.Append(page, numbers);
        TrainingSection.Append(page, numbers);
        SampleAnalysisSummary? samples = null;
        if (fullFolder is not null)
        {
            OverfittingSection.Append(page, fullManifest!, fullCurves!, fullFolder.Root);
            var datasets = options.Datasets ?? Data.DatasetRegistry.CreateDefault();
            samples = SampleAnalysisSection.Append(page, context, numbers.M, fullFolder, fullManifest!,
                options.Models ?? Models.ModelRegistry.CreateDefault(), datasets,
                options.CacheDirectory ?? context.Manifest.CacheDirectory ?? datasets.DefaultCacheDirectory, options.SampleImages);
        }
        LikelihoodSection.Append(page, numbers);
        MembershipSection.Append(page, numbers);
        BiasSection.Append(page, numbers);
        if (options.FullRunDirectory is null)
            page.Html.Append("<p>Give <code>--full FOLDER</code> (a <code>memscore full</code> run of the same data) to add the train/test loss view, " +
                             "the nearest-neighbour test and the C_T data-copying statistic (they need the full model's samples and held-out images).</p>");
        page.Html.Append(ExplorerData.Write(dir, context, numbers)).Append(ExplorerData.Scripts);
        ReportDataFiles.Write(dir, numbers, samples);
        AtomicFile.WriteAllText(Path.Combine(dir, "index.html"), page.End());
        return new ReportOutcome(Path.Combine(dir, "index.html"), page.Figures, page.Tiles, numbers.Inference, samples);
    }
}
