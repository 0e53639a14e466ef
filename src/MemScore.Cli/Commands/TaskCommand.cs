using System.ComponentModel;
using System.Diagnostics;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class TaskSettings : CommandSettings
{
    [CommandOption("--run <DIR>")]
    [Description("Planned run folder")]
    public string Run { get; init; } = "";

    [CommandOption("--index <I>")]
    [Description("Task index (repeat * folds + fold); default: $SLURM_ARRAY_TASK_ID")]
    public int? Index { get; init; }

    [CommandOption("--cache-dir <DIR>")]
    [Description("Data cache on this node (default: the one recorded in run.json)")]
    public string? CacheDir { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Save the task's state every N epochs (default 1; 0 = never)")]
    public int CheckpointEvery { get; init; } = 1;

    public override Spectre.Console.ValidationResult Validate()
    {
        if (CacheDir is not null) Storage.OutputFolder.RequirePath(CacheDir, "cache-dir");
        ExecutionRule.RequireCheckpointEvery(CheckpointEvery);   // as run, plan and full do
        return base.Validate();
    }
}

/// <summary>`memscore task`: runs exactly one task of a planned run; idempotent.</summary>
public sealed class TaskCommand : Command<TaskSettings>
{
    public override int Execute(CommandContext context, TaskSettings settings, CancellationToken cancellation)
    {
        if (settings.Run.Length == 0) throw new InvalidConfigurationException("run: expected --run DIR (a planned run folder)");
        int index = settings.Index ?? ArrayIndexFromEnvironment();
        var clock = Stopwatch.StartNew();
        using var run = RunContext.Open(settings.Run, CliEnvironment.Datasets(), settings.CacheDir);
        var task = run.TaskAt(index);
        if (RepeatStopping.StoppedBefore(run, task) is { } stop)
        {
            Console.WriteLine($"task {index} ({task}): not needed: target reliability {stop.Target.Reliability} was reached with {stop.StopAt} repeats");
            return ExitCodes.Success;
        }
        var outcome = new TaskExecutor(run, ModelRegistry.CreateDefault(), CliEnvironment.SlurmJobId).Execute(task, settings.CheckpointEvery,
            ProgressView.PlainTaskLines(index, run.TaskCount), cancellation);
        Console.WriteLine(outcome == TaskOutcome.AlreadyDone
            ? $"task {index} ({task}): already done"
            : $"task {index} ({task}): done in {clock.Elapsed.TotalSeconds:F1} s");
        return ExitCodes.Success;
    }

    static int ArrayIndexFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        if (value is null) throw new InvalidConfigurationException("index: expected --index I or $SLURM_ARRAY_TASK_ID");
        return int.TryParse(value, out int i) ? i
            : throw new InvalidConfigurationException($"SLURM_ARRAY_TASK_ID = {value}: expected an integer");
    }
}
