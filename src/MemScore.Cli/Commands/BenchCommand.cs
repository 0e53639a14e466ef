using System.ComponentModel;
using System.Globalization;
using MemScore.Benchmarks;
using MemScore.Configuration;
using MemScore.Core;
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

    [CommandOption("--families")]
    [Description("The per-family table instead (training and log p(x) images/s, GFLOP/s, % of the sgemm peak; torchscript not included)")]
    public bool Families { get; init; }
}

/// <summary>`memscore bench`: one line per figure of the MLP hot loops, `is_gflops_fraction_of_peak=<x>` last; with --families the per-family table.</summary>
public sealed class BenchCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellation)
    {
        if (settings.Families) return PrintFamilyTable(settings);
        foreach (var line in ThroughputBenchmark.Run(settings.Threads, settings.Quick))
            Console.WriteLine($"{line.Name}={line.Value.ToString(line.Unit.Length == 0 ? "F3" : "F1", CultureInfo.InvariantCulture)}");
        return ExitCodes.Success;
    }

    static int PrintFamilyTable(BenchSettings settings)
    {
        DenormalFlushing.SetForCurrentThread(true);
        TorchThreads.Use(settings.Threads);
        double peak = ThroughputBenchmark.SgemmPeakGflops(settings.Quick ? 6 : 20);
        Console.WriteLine($"families: sgemm peak {peak.ToString("F1", CultureInfo.InvariantCulture)} GFLOP/s, threads {settings.Threads}, train batch {FamilyBenchmark.TrainBatch}, " +
            $"log p(x) batch {EvalBatch(settings)}, {Seconds(settings)} s per timed loop");
        var rows = FamilyBenchmark.PaperCases().Select(c => FamilyBenchmark.Measure(c, peak, Seconds(settings), EvalBatch(settings)));
        foreach (var line in FamilyBenchmarkTable.Format(rows)) Console.WriteLine(line);
        return ExitCodes.Success;
    }

    static double Seconds(BenchSettings settings) => settings.Quick ? 2 : 5;

    static int EvalBatch(BenchSettings settings) => settings.Quick ? 16 : 64;
}
