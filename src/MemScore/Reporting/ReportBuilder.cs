using MemScore.Analysis;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Reporting.Explorer;
using MemScore.Reporting.Sections;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <param name="Inference">Intervals, q-values and predicted reliability at the last epoch; null when not available (--in-models, no complete repeat).</param>
internal sealed record ReportOutcome(string IndexPath, int Figures, int Tiles, ScoreInference? Inference, SampleAnalysisSummary? Samples = null,
    DuplicateComparison? Duplicates = null);

/// <param name="FullRunDirectory">A `memscore full` folder of the same data: adds the overfitting view and the sample-based tests.</param>
/// <param name="Models">Registry to rebuild the full model for sampling (default: the built-in families).</param>
/// <param name="SampleImages">What the nearest-neighbour test and C_T compare (default: decoder means against grey-level images).</param>
/// <param name="Estimator">Which estimator's M the report shows (aggregation only; default the paper's).</param>
/// <param name="Readiness">The checked readiness of the run, whose task results the report reuses (null: read again).</param>
/// <param name="DuplicatesThreshold">RMS distance per pixel at which the duplicates section groups examples (<see cref="NearDuplicates"/>).</param>
/// <param name="EarlyStopPatience">Patience of the early-stopping rule read off the full run's test loss (<see cref="EarlyStopping"/>).</param>
internal sealed record ReportOptions(string? FullRunDirectory = null, Models.ModelRegistry? Models = null, Data.DatasetRegistry? Datasets = null,
    string? CacheDirectory = null, SampleImages SampleImages = SampleImages.DecoderMeans, EstimatorKind Estimator = EstimatorKind.Paper,
    double DuplicatesThreshold = DuplicateComparison.DefaultThreshold, int EarlyStopPatience = EarlyStopping.DefaultPatience,
    ReportReadiness? Readiness = null);

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
        RequireLeverOptions(options);
        // A bad --full folder is refused before anything is written.
        var fullFolder = options.FullRunDirectory is string fullRoot ? new FullRunFolder(fullRoot) : null;
        var fullManifest = fullFolder?.ReadManifest();
        var fullCurves = fullFolder?.ReadCurves(fullManifest!);
        var numbers = ReportNumbers.Compute(context, options.Estimator, options.Readiness);
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
        ClassSection.Append(page, context, numbers);
        TrainingSection.Append(page, numbers);
        SampleAnalysisSummary? samples = null;
        var datasets = options.Datasets ?? Data.DatasetRegistry.CreateDefault();
        if (fullFolder is not null)
        {
            OverfittingSection.Append(page, fullManifest!, fullCurves!, fullFolder.Root);
            EarlyStoppingSection.Append(page, numbers, fullCurves!, options.EarlyStopPatience);
            samples = SampleAnalysisSection.Append(page, context, numbers.M, fullFolder, fullManifest!,
                options.Models ?? Models.ModelRegistry.CreateDefault(), datasets,
                options.CacheDirectory ?? context.Manifest.CacheDirectory ?? datasets.DefaultCacheDirectory, options.SampleImages);
        }
        LikelihoodSection.Append(page, numbers);
        MembershipSection.Append(page, numbers);
        BiasSection.Append(page, numbers);
        var duplicateSet = NearDuplicatesOf(context, datasets, options.CacheDirectory ?? context.Manifest.CacheDirectory ?? datasets.DefaultCacheDirectory,
            options.DuplicatesThreshold);
        var duplicates = DuplicatesSection.Append(page, context, numbers, duplicateSet);
        if (options.FullRunDirectory is null)
            page.Html.Append("<p>Give <code>--full FOLDER</code> (a <code>memscore full</code> run of the same data) to add the train/test loss view, " +
                             "the nearest-neighbour test and the C_T data-copying statistic (they need the full model's samples and held-out images).</p>");
        page.Html.Append(ExplorerData.Write(dir, context, numbers, samples?.Neighbours)).Append(ExplorerData.Scripts);
        ReportDataFiles.Write(dir, numbers, samples);
        AtomicFile.WriteAllText(Path.Combine(dir, "index.html"), page.End());
        return new ReportOutcome(Path.Combine(dir, "index.html"), page.Figures, page.Tiles, numbers.Inference, samples, duplicates);
    }

    /// <summary>
    /// Near-duplicate groups of the run's examples from near_duplicates.json in the run folder, or searched on their grey-level
    /// images (loaded again when the context was opened without them) and stored there for the next report.
    /// </summary>
    static NearDuplicateSet NearDuplicatesOf(RunContext context, Data.DatasetRegistry datasets, string cacheDirectory, double threshold)
    {
        int n = context.Data.Count;
        // --dedup kept no two examples within its threshold, measured as this search measures: nothing to search for at or below it.
        if (context.Config.Dedup is double dedup && threshold <= dedup) return new NearDuplicateSet(n, threshold, Enumerable.Range(0, n).ToArray(), []);
        var key = new NearDuplicatesKey(context.Manifest.DatasetHash, threshold, context.Data.SourceIndices);
        return NearDuplicatesCache.GetOrCompute(context.Folder.Root, key, () =>
        {
            if (context.Data.Levels is not null) return TrainingData.Find(context.Data, threshold);
            using var grey = TrainingData.Prepare(context.Config, datasets, cacheDirectory, context.Manifest.Input, greyLevels: true,
                recorded: DedupFile.Recorded(context.Folder.Root, context.Config, context.Manifest.DatasetHash));
            if (grey.Count != context.Data.Count) throw new InvalidOperationException($"{grey.Count} grey-level images for {context.Data.Count} examples of the run");
            return TrainingData.Find(grey, threshold);
        });
    }

    /// <summary>--duplicates-threshold and --early-stop-patience, refused naming the flag before anything is written.</summary>
    static void RequireLeverOptions(ReportOptions options)
    {
        if (!(options.DuplicatesThreshold >= 0 && options.DuplicatesThreshold <= 1))
            throw new Core.InvalidConfigurationException(FormattableString.Invariant(
                $"duplicates-threshold = {options.DuplicatesThreshold}: expected an RMS distance per pixel in 0..1"));
        if (options.EarlyStopPatience < 1)
            throw new Core.InvalidConfigurationException($"early-stop-patience = {options.EarlyStopPatience}: expected an integer >= 1 (epochs)");
    }
}
