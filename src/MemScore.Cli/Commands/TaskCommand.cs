using System.ComponentModel;
using System.Diagnostics;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class TaskSettings : CacheDirSettings
{
    [CommandArgument(0, "[RUN]")]
    [Description("Planned run folder")]
    public string? Run { get; init; }

    [CommandOption("--run <DIR>")]
    [Description("Deprecated spelling of RUN (kept for sbatch scripts written by earlier versions)")]
    public string? RunFlag { get; init; }

    [CommandOption("--index <I>")]
    [Description("Task index (repeat * folds + fold); default: $SLURM_ARRAY_TASK_ID")]
    public int? Index { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Save the task's state every N epochs (default 1; 0 = never)")]
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>The run folder, given as RUN or as the deprecated --run DIR.</summary>
    public string RunFolder => Run ?? RunFlag ?? "";

    public override Spectre.Console.ValidationResult Validate()
    {
        if (Run is not null && RunFlag is not null)
            throw new InvalidConfigurationException($"run: {Run} and --run {RunFlag}: give the run folder once (RUN; --run is its deprecated spelling)");
        if (Run is null && RunFlag is null) throw new InvalidConfigurationException("run: expected RUN (a planned run folder)");
        Storage.OutputFolder.RequirePath(RunFolder, "run");
        ExecutionRule.RequireCheckpointEvery(CheckpointEvery);   // as run, plan and full do
        return base.Validate();
    }
}

/// <summary>`memscore task`: runs exactly one task of a planned run; idempotent.</summary>
public sealed class TaskCommand : Command<TaskSettings>
{
    public override int Execute(CommandContext context, TaskSettings settings, CancellationToken cancellation)
    {
        int index = settings.Index ?? ArrayIndexFromEnvironment();
        var clock = Stopwatch.StartNew();
        using var run = RunContext.Open(settings.RunFolder, CliEnvironment.Datasets(), settings.CacheDir);
        var task = run.TaskAt(index);
        TorchScriptAllocator.RequireSystemMalloc(run.Config.Model);
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
