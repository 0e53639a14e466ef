using MemScore.Data;
using MemScore.Execution;
using MemScore.Reporting;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class ReportSettings : AggregationSettings
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
        var estimator = Analysis.Estimators.Parse(settings.Estimator);
        using var run = RunContext.Open(settings.Run, DatasetRegistry.CreateDefault(), settings.CacheDir);
        var outcome = ReportBuilder.Build(run, new ReportOptions(settings.Full, CacheDirectory: settings.CacheDir, Estimator: estimator));
        Console.WriteLine($"Report: {outcome.IndexPath} ({outcome.Figures} figures, {outcome.Tiles} image tiles)");
        if (outcome.Samples is { } s)
            Console.WriteLine($"Nearest-neighbour test on {s.Samples} samples of the full model: Spearman(rho, M) = {s.SpearmanRhoM:F3} over {s.Matched} examples; C_T = {s.DataCopyingCT:F2}");
        if (outcome.Inference is { } inference)
        {
            Console.WriteLine(inference.SignificanceSentence(inference.P.Length));
            string sentence = inference.ReliabilitySentence();
            Console.WriteLine(inference.RankingMostlyNoise ? "Warning: " + char.ToLowerInvariant(sentence[0]) + sentence[1..] : sentence);
        }
        return ExitCodes.Success;
    }
}
