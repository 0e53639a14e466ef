using System.Globalization;
using MemScore.Api;
using MemScore.Configuration;

// Scores 60 of the embedded MNIST digits with 2 fold models (1 repeat, 1 epoch) through MemScore.Api, then reads the
// scores back from the run folder and prints the five most memorized examples.
// Usage: dotnet run --project examples/console-job -- OUTPUT_FOLDER
string output = args.Length > 0 ? args[0] : Path.Combine("runs", "console-job");
var config = new ExperimentConfig
{
    Dataset = "mnist-sample", Limit = 60, Folds = 2, Repeats = 1, Epochs = 1, EvalEvery = 1,
    ImportanceSamples = 8, Threads = 1, Device = "cpu", Seed = 7,
};
var result = MemScoreJob.Run(config, output, new JobOptions { Workers = 1 }, new TaskLines());
Console.WriteLine($"{result.TasksRun} tasks trained, {result.TasksReused} reused; run folder {result.RunFolder}");

var scores = MemScoreJob.Open(result.RunFolder);
Console.WriteLine("top 5 by M (index, label, M, U, V):");
foreach (var row in scores.Top(5))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top {row.Index} {row.Label} {row.M:F4} {row.U:F4} {row.V:F4}"));

/// <summary>Prints a line per finished task, on the thread that reports it (Progress&lt;T&gt; would post to the thread pool).</summary>
sealed class TaskLines : IProgress<JobProgress>
{
    public void Report(JobProgress p)
    {
        if (p.Stage == JobStage.TaskFinished) Console.WriteLine($"task r{p.Repeat}_f{p.Fold} finished ({p.TasksDone}/{p.TaskCount})");
    }
}
