using System.ComponentModel;
using MemScore.Configuration;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Reporting;
using MemScore.Reporting.Sweeps;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>Flags of `memscore sweep`: those of run (and full's --test-fraction), plus the levers.</summary>
public sealed class SweepSettings : LocalRunSettings
{
    [CommandOption(FullSettings.TestFractionFlag)]
    [Description("Passed to each point's `memscore full`. " + FullSettings.TestFractionHelp)]
    public double? TestFraction { get; init; }

    [CommandOption("--vary <KEY=V1,V2,...>")]
    [Description("A lever and its values, e.g. weight-decay=0,1e-3 (repeatable: the points are every combination); KEY is any flag of run or full; inf or none = flag left out")]
    public string[] Vary { get; init; } = [];

    [CommandOption("--slurm")]
    [Description("Plan each point's run and submit it as a Slurm array (memscore slurm submit); rerun without --slurm when the arrays finish for the full runs and the report")]
    public bool Slurm { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (Out is null) throw new Core.InvalidConfigurationException("out: a sweep needs --out SWEEPDIR (its points and report go there)");
        if (Report) throw new Core.InvalidConfigurationException("report: a sweep writes every point's report and its own (SWEEPDIR/report) already");
        if (Budget) throw new Core.InvalidConfigurationException("budget: not available for a sweep; ask `memscore run --budget` with one point's flags");
        return base.Validate();
    }
}

/// <summary>
/// `memscore sweep --out DIR [run flags] --vary KEY=V1,V2`: every point a run folder and a full-run folder,
/// run one after another in this process through the `run`, `full` and `report` commands (a rerun skips
/// finished points), then DIR/report/index.html with the memorization-utility frontier.
/// </summary>
public sealed class SweepCommand : Command<SweepSettings>
{
    public override int Execute(CommandContext context, SweepSettings settings, CancellationToken cancellation)
    {
        var arguments = new SweepArguments(context.Arguments, settings.Vary);
        var folder = new SweepFolder(settings.Out!);
        var points = SweepGrid.Points(arguments.Axes);
        // Every point's flags are parsed and its config validated before anything is written.
        foreach (var point in points)
        {
            Invoke(SweepCheck.App(), arguments.Run(point, folder.RunPath(point)), cancellation);
            Invoke(SweepCheck.App(), arguments.Full(point, folder.FullPath(point)), cancellation);
        }
        folder.WriteOrCheck(new SweepManifest(arguments.BaseArguments, arguments.Axes));
        Console.Error.WriteLine($"memscore sweep: {points.Count} points ({string.Join(" x ", arguments.Axes.Select(a => $"{a.Values.Count} {a.Key}"))}) -> {folder.Root}");
        if (settings.Slurm) return SubmitAll(arguments, folder, points, cancellation);
        for (int i = 0; i < points.Count; i++)
        {
            var point = points[i];
            if (SweepResults.IsFinished(folder, point))
            {
                Console.Error.WriteLine($"[{i + 1}/{points.Count}] {point.Name}: finished earlier, skipped");
                continue;
            }
            Console.Error.WriteLine($"[{i + 1}/{points.Count}] {point.Name}: {point.Describe()}");
            Invoke(PointApp(), arguments.Run(point, folder.RunPath(point)), cancellation);
            Invoke(PointApp(), arguments.Full(point, folder.FullPath(point)), cancellation);
            Invoke(PointApp(), ["report", folder.RunPath(point), "--full", folder.FullPath(point), .. CacheFlag(settings)], cancellation);
        }
        var outcome = SweepReportBuilder.Build(folder, DatasetRegistry.CreateDefault(), settings.CacheDir);
        Console.WriteLine($"Sweep report: {outcome.IndexPath} ({outcome.Points} points, {outcome.Comparisons} comparisons with {points[0].Name})");
        return ExitCodes.Success;
    }

    static string[] CacheFlag(SweepSettings settings) => settings.CacheDir is null ? [] : ["--cache-dir", settings.CacheDir];

    int SubmitAll(SweepArguments arguments, SweepFolder folder, IReadOnlyList<SweepPoint> points, CancellationToken cancellation)
    {
        foreach (var point in points.Where(p => !SweepResults.IsFinished(folder, p)))
        {
            Invoke(PointApp(), arguments.Plan(point, folder.RunPath(point)), cancellation);
            Invoke(PointApp(), ["slurm", "submit", folder.RunPath(point)], cancellation);
        }
        Console.WriteLine($"Submitted the unfinished points' runs. When the arrays finish, rerun this command without --slurm: it aggregates them, runs each point's full run here and writes {folder.ReportDirectory}/index.html");
        return ExitCodes.Success;
    }

    static void Invoke(CommandApp app, string[] args, CancellationToken cancellation)
    {
        int code = app.Run(args, cancellation);
        if (code != ExitCodes.Success)
            throw new Core.MemScoreException(Core.ErrorKind.InvalidConfiguration, $"memscore {string.Join(' ', args)}: exited with {code}");
    }

    /// <summary>The commands a point runs through, configured as in Program.cs (errors propagate to the sweep's handler).</summary>
    static CommandApp PointApp()
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.PropagateExceptions();
            c.UseStrictParsing();
            c.AddCommand<RunCommand>("run");
            c.AddCommand<FullCommand>("full");
            c.AddCommand<PlanCommand>("plan");
            c.AddCommand<ReportCommand>("report");
            c.AddBranch("slurm", s => s.AddCommand<SlurmSubmitCommand>("submit"));
        });
        return app;
    }
}

/// <summary>Parses a point's `run` or `full` flags and validates the config they give, without writing anything.</summary>
static class SweepCheck
{
    public static CommandApp App()
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.PropagateExceptions();
            c.UseStrictParsing();
            c.AddCommand<CheckRun>("run");
            c.AddCommand<CheckFull>("full");
        });
        return app;
    }

    static void ValidateConfig(ExperimentConfig config) => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());

    internal sealed class CheckRun : Command<LocalRunSettings>
    {
        public override int Execute(CommandContext context, LocalRunSettings settings, CancellationToken cancellation)
        {
            ValidateConfig(settings.ResolveConfig());
            settings.ResolveTarget(Analysis.Estimators.Parse(settings.Estimator));
            return ExitCodes.Success;
        }
    }

    internal sealed class CheckFull : Command<FullSettings>
    {
        public override int Execute(CommandContext context, FullSettings settings, CancellationToken cancellation)
        {
            ValidateConfig(FullRunSplit.WithoutFoldFields(settings.ResolveConfig()));
            return ExitCodes.Success;
        }
    }
}
