using MemScore.Data;
using MemScore.Execution;
using MemScore.Reporting;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class ReportSettings : RunFolderSettings
{
    [System.ComponentModel.Description("A `memscore full` output folder of the same data: adds the train/test loss view, the nearest-neighbour test and C_T")]
    [CommandOption("--full <DIR>")]
    public string? Full { get; init; }
}

/// <summary>`memscore report RUN`: RUN/report/index.html with figures, image grids and the numbers behind them.</summary>
public sealed class ReportCommand : Command<ReportSettings>
{
    public override int Execute(CommandContext context, ReportSettings settings, CancellationToken cancellation)
    {
        var run = RunContext.Open(settings.Run, DatasetRegistry.CreateDefault(), settings.CacheDir);
        bool stillInUse = false;
        try
        {
            // A run folder planned inside its --data-dir (refused since) would write image tiles into the data set.
            string reportDirectory = Path.Combine(run.Folder.Root, "report");
            Storage.OutputFolder.RefuseInsideData(reportDirectory, run.Config.DataDir);
            // Partial runs, foreign --full folders and damaged results: refused or counted before anything is written.
            var readiness = ReportReadiness.Check(run, settings.Full);
            Core.WritableFolder.Ensure(reportDirectory, "report folder");
            cancellation.ThrowIfCancellationRequested();
            // The builder does not check the token; waiting on it lets Ctrl-C end the command at once. Interrupted, the
            // builder's thread may still be using the run's tensors while the process exits, so they are left alone.
            var build = Task.Run(() => ReportBuilder.Build(run, new ReportOptions(settings.Full, CacheDirectory: settings.CacheDir)), CancellationToken.None);
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
                Console.WriteLine($"Nearest-neighbour test on {s.Samples} samples of the full model: Spearman(rho, M) = {s.SpearmanRhoM:F3} over {s.Matched} examples; C_T = {s.DataCopyingCT:F2}");
            if (outcome.Uncertainty.RankingMostlyNoise)
                Console.WriteLine($"Warning: the per-example ranking is mostly noise (split-half Spearman {outcome.Uncertainty.SplitHalfSpearman:F2}); " +
                                  $"about {outcome.Uncertainty.RepeatsForReliability08:F0} repeats are predicted for a reliability of 0.8.");
            return ExitCodes.Success;
        }
        finally
        {
            if (!stillInUse) run.Dispose();
        }
    }
}
