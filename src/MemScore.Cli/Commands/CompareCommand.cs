using System.ComponentModel;
using MemScore.Data;
using MemScore.Reporting;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class CompareSettings : CommandSettings
{
    [CommandArgument(0, "<RUNS>")]
    [Description("Two or more run folders; the first is the baseline for per-example changes")]
    public string[] Runs { get; init; } = [];

    [CommandOption("--out <DIR>")]
    [Description("Where to write the comparison (default: compare)")]
    public string Out { get; init; } = "compare";

    [CommandOption("--estimator <NAME>")]
    [Description("paper (default) or balanced: which M to compare")]
    public string? Estimator { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        Storage.OutputFolder.RequirePath(Out, "out");
        Analysis.Estimators.Parse(Estimator);
        return base.Validate();
    }
}

/// <summary>`memscore compare RUN_A RUN_B ...`: quantile curves, histograms, quantile table, largest changes.</summary>
public sealed class CompareCommand : Command<CompareSettings>
{
    public override int Execute(CommandContext context, CompareSettings settings, CancellationToken cancellation)
    {
        var estimator = Analysis.Estimators.Parse(settings.Estimator);
        var datasets = CliEnvironment.Datasets();
        var runs = new List<RunContext>();
        try
        {
            foreach (string run in settings.Runs) runs.Add(RunContext.Open(run, datasets, null));
            Core.WritableFolder.Ensure(settings.Out, "comparison folder (--out)");
            var outcome = ComparisonBuilder.Build(runs, settings.Out, estimator);
            Console.WriteLine($"Comparison of {outcome.Runs} runs: {Path.GetFullPath(outcome.IndexPath)} ({outcome.Figures} figures)");
            foreach (var (before, after, significant, compared) in outcome.Changes ?? [])
                Console.WriteLine($"{before} -> {after}: {significant} of {compared} examples changed M by more than noise explains (FDR 10%, change relative to the combined interval)");
            return ExitCodes.Success;
        }
        finally
        {
            runs.ForEach(r => r.Dispose());
        }
    }
}
