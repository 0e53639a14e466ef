using MemScore.Api;
using MemScore.Configuration;
using MemScore.Models;
using PixelBernoulliExample;

// Registers the family beside the built-in ones, then scores a small run of the embedded digits through MemScore.Api.
// Usage: dotnet run --project examples/csharp-family -- OUTPUT_FOLDER
string output = args.Length > 0 ? args[0] : Path.Combine("runs", "pixel-bernoulli");
var models = ModelRegistry.CreateDefault().Add(PixelBernoulli.Family);
var config = new ExperimentConfig
{
    Model = PixelBernoulli.Name,
    ModelOptions = ModelOptionValues.Empty.With("smoothing", 0.02),
    Limit = 200, Folds = 2, Repeats = 1, Epochs = 2, EvalEvery = 2, Device = "cpu",
};
var result = MemScoreJob.Run(config, output, new JobOptions { Models = models });
Console.WriteLine($"{result.TasksRun} tasks trained; scores in {Path.Combine(result.RunFolder, "scores.csv")}");
foreach (var row in result.Scores.Top(3)) Console.WriteLine($"example {row.Row}: most memorized");
