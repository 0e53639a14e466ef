using MemScore.Configuration;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using PixelBernoulliExample;

// Registers the family beside the built-in ones, then scores a small run of the embedded digits through the library.
// Usage: dotnet run --project examples/csharp-family -- OUTPUT_FOLDER
string output = args.Length > 0 ? args[0] : Path.Combine("runs", "pixel-bernoulli");
var models = ModelRegistry.CreateDefault().Add(PixelBernoulli.Family);
var datasets = DatasetRegistry.CreateDefault();
var config = models.Resolve(new ExperimentConfig
{
    Model = PixelBernoulli.Name,
    ModelOptions = ModelOptionValues.Empty.With("smoothing", 0.02),
    Limit = 200, Folds = 2, Repeats = 1, Epochs = 2, EvalEvery = 2, Device = "cpu",
});
ConfigValidator.Validate(config, datasets, models);
var outcome = new LocalExecutor(datasets, models).Run(new RunRequest(config, output));
Console.WriteLine($"{outcome.TasksRun} tasks trained; scores in {Path.Combine(outcome.Folder.Root, "scores.csv")}");
foreach (int i in outcome.Scores.TopMemorized(3)) Console.WriteLine($"example {i}: most memorized");
