using MemScore.Execution;
using MemScore.Training;
using Spectre.Console;

namespace MemScore.Cli;

/// <summary>Renders run progress: live bars on a terminal, one plain line per event otherwise.</summary>
public static class ProgressView
{
    public static bool Interactive =>
        !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static IProgress<RunProgress> PlainLines() => new SynchronousProgress<RunProgress>(p =>
    {
        string? line = p.Stage switch
        {
            RunStage.LoadingData => "loading data",
            RunStage.Planned => $"{p.TaskCount} tasks planned",
            RunStage.TaskReused => $"[{p.TasksDone}/{p.TaskCount}] {p.Task}: finished earlier, reused",
            RunStage.TaskStarted => $"[{p.TasksDone + 1}/{p.TaskCount}] {p.Task}: training",
            RunStage.TaskUpdate when p.Update is { Phase: TaskPhase.Training } u =>
                $"[{p.TasksDone + 1}/{p.TaskCount}] {p.Task}: epoch {u.Epoch}/{u.Epochs} loss {u.Loss:F3} rss {Environment.WorkingSet / (1 << 20)} MB",
            RunStage.TaskUpdate when p.Update is { Phase: TaskPhase.Evaluating } u && u.Done == u.Total =>
                $"[{p.TasksDone + 1}/{p.TaskCount}] {p.Task}: log p(x) of {u.Total} examples at epoch {u.Epoch}",
            RunStage.TaskFinished => $"[{p.TasksDone}/{p.TaskCount}] {p.Task}: done in {p.Seconds:F1} s",
            RunStage.Aggregating => "aggregating scores",
            _ => null,
        };
        if (line is not null) Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
    });

    /// <summary>Plain lines for one task (Slurm logs).</summary>
    public static IProgress<TaskProgress> PlainTaskLines(int index, int count) => new SynchronousProgress<TaskProgress>(u =>
    {
        if (u.Phase == TaskPhase.Training)
            Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} task {index}/{count} {u.Task}: epoch {u.Epoch}/{u.Epochs} loss {u.Loss:F3} rss {Environment.WorkingSet / (1 << 20)} MB");
        else if (u.Done == u.Total)
            Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} task {index}/{count} {u.Task}: log p(x) of {u.Total} examples at epoch {u.Epoch}");
    });

    public static T RunWithBars<T>(Func<IProgress<RunProgress>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask("tasks", maxValue: 1);
                var current = ctx.AddTask("current task", maxValue: 1);
                result = work(new SynchronousProgress<RunProgress>(p =>
                {
                    overall.MaxValue = Math.Max(1, p.TaskCount);
                    overall.Value = p.TasksDone;
                    overall.Description = $"tasks {p.TasksDone}/{p.TaskCount}";
                    if (p.Update is { } u)
                    {
                        current.MaxValue = u.Total;
                        current.Value = u.Done;
                        current.Description = u.Phase == TaskPhase.Training
                            ? $"{p.Task}: epoch {u.Epoch}/{u.Epochs} loss {u.Loss:F2}"
                            : $"{p.Task}: log p(x) at epoch {u.Epoch}";
                    }
                    ctx.Refresh();
                }));
            });
        return result;
    }
}
