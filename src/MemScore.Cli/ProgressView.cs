using MemScore.Execution;
using MemScore.Training;
using Spectre.Console;

namespace MemScore.Cli;

/// <summary>Renders run progress: live bars on a terminal, one plain line per event otherwise.</summary>
internal static class ProgressView
{
    public static bool Interactive =>
        !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static IProgress<RunProgress> PlainLines() => new SynchronousProgress<RunProgress>(p =>
    {
        if (p.Update is { Phase: TaskPhase.Warning } warning)
        {
            Console.Error.WriteLine($"warning: {warning.Note}");
            return;
        }
        string? line = p.Stage switch
        {
            RunStage.LoadingData => "loading data",
            RunStage.Planned => $"{p.TaskCount} tasks planned",
            RunStage.TaskReused => $"[{p.TasksDone}/{p.TaskCount} done] {p.Task}: finished earlier, reused",
            RunStage.TaskStarted => $"[{p.TasksDone}/{p.TaskCount} done] {p.Task}: training",
            RunStage.TaskUpdate when p.Update is { Phase: TaskPhase.Training } u =>
                $"[{p.TasksDone}/{p.TaskCount} done] {p.Task}: epoch {u.Epoch}/{u.Epochs} loss {u.Loss:F3} rss {Environment.WorkingSet / (1 << 20)} MB",
            RunStage.TaskUpdate when p.Update is { Phase: TaskPhase.Evaluating } u && u.Done == u.Total =>
                $"[{p.TasksDone}/{p.TaskCount} done] {p.Task}: log p(x) of {u.Total} examples at epoch {u.Epoch}",
            RunStage.TaskFinished => $"[{p.TasksDone}/{p.TaskCount} done] {p.Task}: done in {p.Seconds:F1} s",
            RunStage.TaskSkipped => $"[{p.TasksDone}/{p.TaskCount} done] {p.Task}: not needed, the target reliability was reached",
            RunStage.Aggregating => "aggregating scores",
            _ => null,
        };
        if (line is not null) Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
    });

    /// <summary>Plain lines for one task (Slurm logs).</summary>
    public static IProgress<TaskProgress> PlainTaskLines(int index, int count) => new SynchronousProgress<TaskProgress>(u =>
    {
        if (u.Phase == TaskPhase.Warning)
            Console.Error.WriteLine($"warning: {u.Note}");
        else if (u.Phase == TaskPhase.Training)
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
                // One bar per task in progress: with --workers several run at once.
                var running = new Dictionary<Memorization.TaskId, ProgressTask>();
                result = work(new SynchronousProgress<RunProgress>(p =>
                {
                    overall.MaxValue = Math.Max(1, p.TaskCount);
                    overall.Value = p.TasksDone;
                    overall.Description = $"tasks {p.TasksDone}/{p.TaskCount}";
                    if (p.Task is { } task && p.Stage is RunStage.TaskFinished or RunStage.TaskReused or RunStage.TaskSkipped && running.Remove(task, out var finished))
                    {
                        finished.Value = finished.MaxValue;
                        finished.StopTask();
                    }
                    if (p.Update is { Phase: TaskPhase.Warning } warning)
                        Console.Error.WriteLine($"warning: {warning.Note}");   // the bars draw on stdout
                    else if (p.Task is { } t && p.Update is { } u)
                    {
                        if (!running.TryGetValue(t, out var bar)) running[t] = bar = ctx.AddTask($"{t}", maxValue: 1);
                        bar.MaxValue = u.Total;
                        bar.Value = u.Done;
                        bar.Description = u.Phase == TaskPhase.Training
                            ? $"{t}: epoch {u.Epoch}/{u.Epochs} loss {u.Loss:F2}"
                            : $"{t}: log p(x) at epoch {u.Epoch}";
                    }
                    ctx.Refresh();
                }));
            });
        return result;
    }
}
