using System.Globalization;
using MemScore.Configuration;
using MemScore.Execution;

namespace MemScore.Cli;

/// <summary>Prints a <see cref="Budget"/> as a few plain lines.</summary>
internal static class BudgetView
{
    /// <param name="workers">The workers `run` would use (<see cref="ExecutionRule.Workers"/>).</param>
    public static void Print(ExperimentConfig config, int examples, long[] shape, Budget budget, int workers)
    {
        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        int evalEpochs = config.EvaluationEpochs().Length;
        Console.WriteLine($"budget: {budget.Models} models (L={config.Repeats} x K={config.Folds}) of {config.Model} on {N(examples)} examples of {string.Join("x", shape)} ({config.Dataset})");
        Console.WriteLine($"  training: {config.Epochs} epochs, {N(budget.TrainingExamplePasses)} example passes in all{Time(budget.TrainingSeconds, budget.TrainImagesPerSecond)}");
        string scoredBy = config.InModels is int m ? $"(L + M = {config.Repeats} + {m}) models per example (--in-models)" : $"{budget.Models} models";
        string perEvaluation = budget.ExactLikelihood ? "exact (no importance samples)" : $"x S={config.ImportanceSamples} = {N(budget.ImportanceSamples)} samples";
        Console.WriteLine($"  log p(x): {evalEpochs} evaluation epochs x {N(examples)} examples x {scoredBy} = {N(budget.Evaluations)} evaluations " +
                          $"{perEvaluation}{Time(budget.EvaluationSeconds, budget.EvalImagesPerSecond)}");
        if (budget.TrainingSeconds is double t && budget.EvaluationSeconds is double e)
        {
            Console.WriteLine($"  total: {Duration(t + e)} of one model at a time on {config.Threads} thread{(config.Threads == 1 ? "" : "s")}; " +
                              $"about {Duration((t + e) / workers)} with the {workers} worker{(workers == 1 ? "" : "s")} `run` uses here (an upper-bound speed-up: " +
                              "workers share memory bandwidth); the tasks are independent (memscore slurm submit)");
            if (config.FoldEnsembles) Console.WriteLine("  (measured on separate models; fold ensembles were slower on CPU, bench/RESULTS.md)");
        }
    }

    static string Time(double? seconds, double? rate) =>
        seconds is double s && rate is double r ? $" ~ {Duration(s)} at {r.ToString("N0", CultureInfo.InvariantCulture)} images/s (measured here)" : "";

    static string Duration(double seconds) => seconds switch
    {
        < 120 => $"{seconds:F0} s",
        < 7200 => $"{seconds / 60:F0} min",
        < 172800 => $"{seconds / 3600:F1} h",
        _ => $"{seconds / 86400:F1} days",
    };
}
