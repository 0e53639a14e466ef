using System.ComponentModel;
using System.Globalization;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>Flags of `memscore run`: those of plan, and those that act only on a local run.</summary>
public class LocalRunSettings : PlanSettings
{
    [CommandOption("--budget")]
    [Description("Print the cost (models x epochs x importance samples, and CPU time measured on this machine) and exit without training")]
    public bool Budget { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Tasks trained at once in this process, each on --threads threads (default: cores / threads on CPU, 1 on GPU). Results do not depend on it")]
    public int? Workers { get; init; }

    [CommandOption("--export-pytorch")]
    [Description("Also write each trained model's weights as a PyTorch state dict (tasks/r{repeat}_f{fold}.pt; torch.load + load_state_dict); bernoulli-mlp-vae and torchscript. Not part of the config")]
    public bool ExportPyTorch { get; init; }

    [CommandOption("--report")]
    [Description("After the run, also write its report folder (RUN/report/index.html) as `memscore report RUN` would")]
    public bool Report { get; init; }

    [CommandOption("--top <N>")]
    [Description("How many of the most memorized examples to print (default 10)")]
    public int Top { get; init; } = 10;
}

/// <summary>`memscore run`: parse, call <see cref="LocalExecutor"/>, render progress and the top examples.</summary>
public sealed class RunCommand : Command<LocalRunSettings>
{
    /// <summary>The folder's config, or null when run.json is damaged or edited: the executor then refuses it, naming what changed.</summary>
    static ExperimentConfig? RecordedConfig(string manifest)
    {
        try { return RunManifest.Read(manifest).Config; }
        catch (MemScoreException) { return null; }
    }

    public override int Execute(CommandContext context, LocalRunSettings settings, CancellationToken cancellation)
    {
        // On an existing run folder, what the flags leave unset comes from the config it records (as planned, or
        // made earlier), not from today's defaults: `run --out DIR` alone resumes it; a flag that differs is refused.
        string? manifest = settings.Out is null ? null : new RunFolder(settings.Out).ManifestPath;
        var recorded = manifest is not null && File.Exists(manifest) && settings.ConfigFile is null && settings.Preset is null
            ? RecordedConfig(manifest) : null;
        // Model options come from the flags as for a new run (a module file's SHA-256 is derived again, so a changed
        // file is a different run), unless no flag sets anything: then the recorded config is taken whole.
        var config = recorded is not null && settings.SetsNoConfigField() ? recorded
            : settings.ResolveConfig(recorded is null ? null : recorded with { ModelOptions = ModelOptionValues.Empty });
        var estimator = MemScore.Analysis.Estimators.Parse(settings.Estimator);
        var target = settings.ResolveTarget(estimator);
        if (recorded is not null)
            Console.Error.WriteLine($"memscore run: resuming with the config recorded in {manifest}{(settings.SetsNoConfigField() ? "" : " and the flags given")}");
        var datasets = CliEnvironment.Datasets();
        var models = ModelRegistry.CreateDefault();
        ConfigValidator.Validate(config, datasets, models);
        TorchScriptAllocator.RequireSystemMalloc(config.Model);
        int workers = ExecutionRule.Workers(config, settings.Workers);
        if (settings.Budget) return PrintBudget(config, datasets, models, settings.CacheDir, settings.Download, workers);
        string output = settings.Out ?? DefaultOutput(config);
        var request = new RunRequest(config, output, settings.CacheDir, settings.CheckpointEvery, settings.Download, settings.Workers, estimator, target,
            settings.ExportPyTorch);
        var executor = new LocalExecutor(datasets, models);

        Console.Error.WriteLine($"memscore run: {config.Dataset}, {config.Model}, K={config.Folds} folds x L={config.Repeats} repeats, " +
                                $"{config.Epochs} epochs, S={config.ImportanceSamples}, seed {config.Seed}, " +
                                $"{workers} worker{(workers == 1 ? "" : "s")} x {config.Threads} thread{(config.Threads == 1 ? "" : "s")}" +
                                $"{(config.FoldEnsembles ? ", fold ensembles" : "")} -> {Path.GetFullPath(output)}");
        var outcome = ProgressView.Interactive
            ? ProgressView.RunWithBars(p => executor.Run(request, p, cancellation))
            : executor.Run(request, ProgressView.PlainLines(), cancellation);

        PrintSummary(outcome, Math.Max(0, settings.Top), settings.ExportPyTorch, settings.Report);
        return settings.Report ? ReportCommand.Write(outcome.Folder.Root, null, settings.CacheDir, estimator, false, cancellation, verdicts: false) : ExitCodes.Success;
    }

    static int PrintBudget(ExperimentConfig config, DatasetRegistry datasets, ModelRegistry models, string? cacheDir, bool download, int workers)
    {
        using var data = TrainingData.Prepare(config, datasets, cacheDir ?? datasets.DefaultCacheDirectory, models.Get(config.Model).InputFor(config.ModelOptions), download);
        var budget = Budget.Count(config, data.Count, models.Get(config.Model).ExactLikelihood).Measure(config, models, data.ImageShape);
        BudgetView.Print(config, data.Count, data.ImageShape, budget, workers);
        return ExitCodes.Success;
    }

    public static string DefaultOutput(MemScore.Configuration.ExperimentConfig config) => Path.Combine("runs", $"{config.Dataset}-{config.Hash()}");

    static void PrintSummary(RunOutcome outcome, int top, bool exported, bool reportFollows)
    {
        var scores = outcome.Scores;
        int column = scores.LastEpochColumn;
        Console.WriteLine($"Finished in {outcome.Elapsed.TotalSeconds:F1} s ({outcome.TasksRun} tasks trained, {outcome.TasksReused} reused).");
        Console.WriteLine($"Results: {outcome.Folder.Root}");
        Console.WriteLine($"  scores.csv, scores_by_epoch.csv, summary.npz, scores.json, run.json, tasks/{(exported ? " (with each model's weights as tasks/r*_f*.pt for PyTorch)" : "")}");
        if (!reportFollows) Console.WriteLine($"  next: memscore report {outcome.Folder.Root}   (figures, uncertainty, membership inference)");
        var inference = scores.Inference;
        if (top > 0)
        {
            static string F(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : v > 0 ? "+inf" : v < 0 ? "-inf" : "n/a";
            static string G(double v) => double.IsFinite(v) ? v.ToString("G2", CultureInfo.InvariantCulture) : "n/a";
            string level = inference is null || double.IsNaN(inference.IntervalLevel) ? "interval" : $"{inference.IntervalLevel * 100:0.#}% interval";
            bool paper = scores.Estimator == "paper";
            Console.WriteLine($"Top {top} memorized examples at epoch {scores.EvaluationEpochs[column]} (M = U - V in nats, {scores.Estimator} estimator; " +
                              $"the interval is for the population M{(paper ? "; null bias: what this M would be with no memorization" : "")}):");
            Console.WriteLine($"{"rank",4} {"index",7} {"label",5} {"M",8} {level,21} {"q",8}{(paper ? $" {"null bias",9}" : "")}");
            int rank = 1;
            foreach (int i in scores.TopMemorized(top))
            {
                string interval = inference is null ? "n/a" : $"[{F(inference.Lower[i])}, {F(inference.Upper[i])}]";
                string q = inference is null ? "n/a" : G(inference.Q[i]);
                string bias = paper ? $" {(inference is null ? "n/a" : F(inference.NullBias[i])),9}" : "";
                Console.WriteLine($"{rank++,4} {scores.SourceIndices[i],7} {scores.Labels[i],5} {F(scores.M(i, column)),8} {interval,21} {q,8}{bias}");
            }
        }
        if (inference is null)
        {
            if (outcome.Target is { } unscored) Console.WriteLine(unscored.Sentence());
            Console.WriteLine("No intervals, p-values or reliability: they need every model's log p of every example (not available with --in-models or without a complete repeat).");
            return;
        }
        Console.WriteLine(inference.SignificanceSentence(scores.Count));
        Console.WriteLine(inference.ReliabilitySentence());
        if (outcome.Target is { } target) Console.WriteLine($"{target.Sentence()} ({TargetProgress.FileName}; {outcome.TasksSkipped} tasks not trained)");
    }
}
