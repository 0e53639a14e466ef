using System.ComponentModel;
using System.Globalization;
using MemScore.Benchmarks;
using MemScore.Configuration;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class BenchSettings : CommandSettings
{
    [CommandOption("--quick")]
    [Description("Shorter measurements (well under 3 minutes on 2 cores)")]
    public bool Quick { get; init; }

    [CommandOption("--threads <N>")]
    [Description("CPU threads (default: all cores)")]
    public int Threads { get; init; } = ExperimentConfig.AllCores();
}

/// <summary>`memscore bench`: one line per figure, `is_gflops_fraction_of_peak=<x>` last.</summary>
public sealed class BenchCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        foreach (var line in ThroughputBenchmark.Run(settings.Threads, settings.Quick))
            Console.WriteLine($"{line.Name}={line.Value.ToString(line.Unit.Length == 0 ? "F3" : "F1", CultureInfo.InvariantCulture)}");
        return ExitCodes.Success;
    }
}
