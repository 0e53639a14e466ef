using MemScore.Execution;
using MemScore.Models;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>`memscore plan`: the flags of run that set the config; creates run.json and plan.json, trains nothing.</summary>
public sealed class PlanCommand : Command<PlanSettings>
{
    public override int Execute(CommandContext context, PlanSettings settings, CancellationToken cancellation)
    {
        var config = settings.ResolveConfig();
        var target = settings.ResolveTarget(MemScore.Analysis.Estimators.Parse(settings.Estimator));
        string output = settings.Out ?? RunCommand.DefaultOutput(config);
        var datasets = CliEnvironment.Datasets();
        using var run = new RunPlanner(datasets, ModelRegistry.CreateDefault())
            .Plan(new RunRequest(config, output, settings.CacheDir, settings.CheckpointEvery, settings.Download, Target: target));
        Console.WriteLine($"Planned {run.TaskCount} tasks ({config.Repeats} repeats x {config.Folds} folds) on {run.Data.Count} examples in {run.Folder.Root}");
        if (target is not null)
            Console.WriteLine($"With a {target} (target.json): tasks run repeat by repeat; a task past the stop exits at once.");
        Console.WriteLine($"Next: memscore run --out {run.Folder.Root}   (here)  or  memscore slurm submit {run.Folder.Root}   (cluster)");
        return ExitCodes.Success;
    }
}
