using System.ComponentModel;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Execution.Slurm;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>RUN, for the verbs that read only the run folder (status, slurm): no data, so no --cache-dir.</summary>
public class RunFolderSettings : CommandSettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("Run folder")]
    public string Run { get; init; } = "";

    public override Spectre.Console.ValidationResult Validate()
    {
        OutputFolder.RequirePath(Run, "run");
        return base.Validate();
    }
}

/// <summary>RUN and --cache-dir, for the verbs that may load the run's data (aggregate, report: folders
/// without examples.npz, images). The option is the one of <see cref="CacheDirSettings"/>; C# has one base class.</summary>
public class RunFolderDataSettings : RunFolderSettings
{
    [CommandOption("--cache-dir <DIR>")]
    [Description(CacheDirSettings.Help)]
    public string? CacheDir { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        CacheDirSettings.Check(CacheDir);
        return base.Validate();
    }
}

/// <summary>Settings of the commands that compute scores from a run's task files.</summary>
public class AggregationSettings : RunFolderDataSettings
{
    [CommandOption("--estimator <NAME>")]
    [Description("paper (default, Algorithm 1) or balanced (equal in/out counts: no count-asymmetry bias); task files are not touched")]
    public string? Estimator { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        Analysis.Estimators.Parse(Estimator);
        return base.Validate();
    }
}

/// <summary>`memscore aggregate RUN`: scores from whatever tasks have finished, with their coverage.</summary>
public sealed class AggregateCommand : Command<AggregationSettings>
{
    public override int Execute(CommandContext context, AggregationSettings settings, CancellationToken cancellation)
    {
        var estimator = Analysis.Estimators.Parse(settings.Estimator);
        var run = RunContext.OpenReader(settings.Run, CliEnvironment.Datasets(), settings.CacheDir);
        using var folderLock = RunLock.Acquire(run.Folder.Root);
        var outcome = Aggregator.Aggregate(run, allowPartial: true, estimator);
        Console.WriteLine($"Coverage: {outcome.Coverage}");
        Console.WriteLine($"Wrote {run.Folder.ScoresCsvPath}, {run.Folder.ScoresByEpochCsvPath}, {run.Folder.SummaryPath}, {ScoreFiles.StatisticsPath(run.Folder)} (estimator {outcome.Scores.Estimator})");
        if (outcome.Scores.Inference is { } inference)
        {
            Console.WriteLine(inference.SignificanceSentence(outcome.Scores.Count));
            Console.WriteLine(inference.ReliabilitySentence());
        }
        if (outcome.Target is { } target) Console.WriteLine(target.Sentence());
        if (!outcome.Coverage.Complete) Console.WriteLine("Partial: rerun `memscore aggregate` when the remaining tasks finish.");
        return ExitCodes.Success;
    }
}

/// <summary>`memscore status RUN`: done / running / pending / failed / missing tasks, with the failures' last lines.</summary>
public sealed class StatusCommand : Command<RunFolderSettings>
{
    public override int Execute(CommandContext context, RunFolderSettings settings, CancellationToken cancellation)
    {
        var run = RunReader.Open(settings.Run);
        var statuses = new SlurmBackend(new ProcessRunner()).Status(run);
        // With a target reliability, unfinished tasks past its stop are not missing: they will never be trained.
        var target = RepeatStopping.Evaluate(run);
        bool NotNeeded(MemScore.Execution.Slurm.TaskStatus s) => s.State is TaskState.Missing or TaskState.Pending && target is not null && !target.Needs(s.Task.Repeat);
        Console.WriteLine($"{run.Folder.Root}: {run.TaskCount} tasks");
        if (target is not null) Console.WriteLine($"  {target.Sentence()}");
        var skipped = statuses.Where(NotNeeded).Select(s => s.Index).ToArray();
        if (skipped.Length > 0) Console.WriteLine($"  {"not needed",-8} {skipped.Length,4}  {SlurmBackend.CompressRanges(skipped)}   (past the target's stop)");
        foreach (var state in Enum.GetValues<TaskState>())
        {
            var of = statuses.Where(s => s.State == state && !NotNeeded(s)).Select(s => s.Index).ToArray();
            Console.WriteLine($"  {state.ToString().ToLowerInvariant(),-8} {of.Length,4}  {(of.Length > 0 ? SlurmBackend.CompressRanges(of) : "")}");
        }
        foreach (var failed in statuses.Where(s => s.State == TaskState.Failed))
            Console.WriteLine($"task {failed.Index} ({failed.Task}) failed:\n  {failed.Detail?.Replace("\n", "\n  ")}");
        return ExitCodes.Success;
    }
}

public sealed class SlurmSubmitSettings : RunFolderSettings
{
    [CommandOption("--partition <P>")] [Description("Slurm partition")] public string? Partition { get; init; }
    [CommandOption("--gres <G>")] [Description("Generic resources, e.g. gpu:1")] public string? Gres { get; init; }
    [CommandOption("--time <T>")] [Description("Time limit per task, e.g. 04:00:00")] public string? Time { get; init; }
    [CommandOption("--max-parallel <N>")] [Description("Run at most N tasks at once (%N throttle)")] public int? MaxParallel { get; init; }
    [CommandOption("--dry-run")] [Description("Write and print the sbatch script, do not submit")] public bool DryRun { get; init; }
}

/// <summary>`memscore slurm submit|resubmit RUN`: an array over the unfinished tasks that are not queued.</summary>
public sealed class SlurmSubmitCommand : Command<SlurmSubmitSettings>
{
    public override int Execute(CommandContext context, SlurmSubmitSettings settings, CancellationToken cancellation)
    {
        var run = RunReader.Open(settings.Run);
        var backend = new SlurmBackend(new ProcessRunner());
        var previous = backend.Submissions(run.Folder).LastOrDefault()?.Options;
        bool resubmit = context.Name == "resubmit";
        var options = new SlurmOptions(settings.Partition ?? (resubmit ? previous?.Partition : null), settings.Gres ?? (resubmit ? previous?.Gres : null),
            settings.Time ?? (resubmit ? previous?.Time : null), settings.MaxParallel ?? (resubmit ? previous?.MaxParallel : null));
        options.Validate();   // before anything is looked up or written: a hostile value never reaches a script
        int[] indices = backend.TasksToSubmit(run);
        if (indices.Length == 0)
        {
            Console.WriteLine("Nothing to submit: every task is done, queued or running, or past the stop of a reached target reliability.");
            return ExitCodes.Success;
        }
        string script = backend.WriteScript(run, indices, options, WorkerCommand(),
            TorchScriptAllocator.WorkerPreload(run.Config.Model, CliEnvironment.Preload));
        if (settings.DryRun)
        {
            Console.WriteLine(File.ReadAllText(script));
            Console.WriteLine($"(dry run: {script} written, not submitted; submit with: sbatch {string.Join(' ', backend.SbatchArguments(run.Folder, script).Select(SlurmBackend.Quote))})");
            return ExitCodes.Success;
        }
        var submission = backend.Submit(run, indices, options, script);
        Console.WriteLine($"Submitted job {submission.JobId}: tasks {SlurmBackend.CompressRanges(indices)} ({script})");
        return ExitCodes.Success;
    }

    /// <summary>The exact program that is running now, so array tasks use the same build.</summary>
    static string WorkerCommand()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("unknown process path");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? $"{SlurmBackend.Quote(process)} exec {SlurmBackend.Quote(typeof(SlurmSubmitCommand).Assembly.Location)}"
            : SlurmBackend.Quote(process);
    }
}
