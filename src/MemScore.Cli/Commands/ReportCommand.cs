using MemScore.Data;
using MemScore.Reporting;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class ReportSettings : AggregationSettings
{
    [System.ComponentModel.Description("A `memscore full` output folder of the same data: adds the train/test loss view, the nearest-neighbour test and C_T")]
    [CommandOption("--full <DIR>")]
    public string? Full { get; init; }

    [System.ComponentModel.Description("With --full: compare stochastic samples (redrawn like the scored data) with the scored images, instead of the default decoder means with the grey-level images (the paper's way)")]
    [CommandOption("--stochastic-samples")]
    public bool StochasticSamples { get; init; }

    [System.ComponentModel.Description("RMS distance per pixel (intensities 0..1) of the 2x down-sampled images at which the duplicates section groups examples (default 0.03)")]
    [CommandOption("--duplicates-threshold <T>")]
    public double DuplicatesThreshold { get; init; } = Analysis.DuplicateComparison.DefaultThreshold;

    [System.ComponentModel.Description("With --full: patience (epochs) of the early-stopping rule read off the full model's test loss (default 5)")]
    [CommandOption("--early-stop-patience <P>")]
    public int EarlyStopPatience { get; init; } = Analysis.EarlyStopping.DefaultPatience;

    public override Spectre.Console.ValidationResult Validate()
    {
        if (StochasticSamples && Full is null)
            throw new Core.InvalidConfigurationException("stochastic-samples: chooses the images of the sample-based tests, which need --full DIR (a `memscore full` folder)");
        return base.Validate();
    }
}

/// <summary>`memscore report RUN`: RUN/report/index.html with figures, image grids and the numbers behind them.</summary>
public sealed class ReportCommand : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellation) =>
        Write(settings.Run, settings.Full, settings.CacheDir, Analysis.Estimators.Parse(settings.Estimator), settings.StochasticSamples, cancellation,
            duplicatesThreshold: settings.DuplicatesThreshold, earlyStopPatience: settings.EarlyStopPatience);

    /// <summary>
    /// Builds RUN/report and prints where it is; `memscore run --report` calls this after the run too, with
    /// <paramref name="verdicts"/> false since the run has printed the significance and reliability sentences.
    /// </summary>
    internal static int Write(string runFolder, string? fullFolder, string? cacheDir, Analysis.EstimatorKind estimator, bool stochasticSamples,
        CancellationToken cancellation, bool verdicts = true, double duplicatesThreshold = Analysis.DuplicateComparison.DefaultThreshold,
        int earlyStopPatience = Analysis.EarlyStopping.DefaultPatience)
    {
        var datasets = CliEnvironment.Datasets();
        var run = RunContext.Open(runFolder, datasets, cacheDir, greyLevels: true);
        bool stillInUse = false;
        try
        {
            // A run folder planned inside its --data-dir (refused since) would write image tiles into the data set.
            string reportDirectory = Path.Combine(run.Folder.Root, "report");
            Storage.OutputFolder.RefuseInsideData(reportDirectory, run.Config.DataDir);
            // Partial runs, foreign --full folders and damaged results: refused or counted before anything is written.
            var readiness = ReportReadiness.Check(run, fullFolder);
            // Probe the run folder while report/ does not exist yet, so a refusal leaves nothing behind.
            Core.WritableFolder.Ensure(Directory.Exists(reportDirectory) ? reportDirectory : run.Folder.Root, "report folder");
            cancellation.ThrowIfCancellationRequested();
            // The builder does not check the token; waiting on it lets Ctrl-C end the command at once. Interrupted, the
            // builder's thread may still be using the run's tensors while the process exits, so they are left alone.
            var build = Task.Run(() => ReportBuilder.Build(run, new ReportOptions(fullFolder, Datasets: datasets, CacheDirectory: cacheDir, Estimator: estimator,
                SampleImages: stochasticSamples ? SampleImages.StochasticSamples : SampleImages.DecoderMeans,
                DuplicatesThreshold: duplicatesThreshold, EarlyStopPatience: earlyStopPatience, Readiness: readiness)), CancellationToken.None);
            ReportOutcome outcome;
            try { outcome = build.WaitAsync(cancellation).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) when (!build.IsCompleted)
            {
                stillInUse = true;
                throw;
            }
            Console.WriteLine($"Report: {outcome.IndexPath} ({outcome.Figures} figures, {outcome.Tiles} image tiles)");
            if (readiness.Partial)
                Console.WriteLine($"Partial: {readiness}; rerun `memscore report` when the remaining tasks finish.");
            if (outcome.Samples is { } s)
                Console.WriteLine($"Nearest-neighbour test on {s.Samples} {s.Generated} of the full model against {s.References} images: " +
                                  $"Spearman(rho, M) = {s.SpearmanRhoM:F3} over {s.Matched} examples, {s.InfiniteRho} with rho = +inf (a copy); C_T = {s.DataCopyingCT:F2}");
            if (outcome.Duplicates is { } d)
                Console.WriteLine(d.Test is { } test
                    ? $"Near-duplicates at RMS <= {d.Set.Threshold:G4}: {d.DuplicatedCount} examples in groups (median M {d.MedianDuplicated:F2}), " +
                      $"{d.UniqueCount} unique (median M {d.MedianUnique:F2}); Mann-Whitney p = {test.TwoSidedP:G3}"
                    : $"Near-duplicates at RMS <= {d.Set.Threshold:G4}: {d.Set.Groups().Length} groups; no comparison of M");
            if (verdicts && outcome.Inference is { } inference)
            {
                Console.WriteLine(inference.SignificanceSentence(inference.P.Length));
                string sentence = inference.ReliabilitySentence();
                Console.WriteLine(inference.RankingMostlyNoise ? "Warning: " + char.ToLowerInvariant(sentence[0]) + sentence[1..] : sentence);
            }
            return ExitCodes.Success;
        }
        finally
        {
            if (!stillInUse) run.Dispose();
        }
    }
}
