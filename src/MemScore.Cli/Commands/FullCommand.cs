using System.ComponentModel;
using System.Globalization;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Likelihood;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public class FullSettings : RunSettings
{
    /// <summary>--test-fraction, declared here and forwarded by `sweep` to each point's full run (<see cref="SweepSettings"/>).</summary>
    public const string TestFractionFlag = "--test-fraction <F>";
    public const string TestFractionHelp = "Share of the examples held out as test set when the dataset has no test split (default 0.1)";

    [CommandOption(TestFractionFlag)]
    [Description(TestFractionHelp)]
    public double TestFraction { get; init; } = 0.1;

    [CommandOption("--export-pytorch")]
    [Description("Also write the trained model's weights as a PyTorch state dict (model.pt; torch.load + load_state_dict); bernoulli-mlp-vae, the DC-VAEs and torchscript; works on a finished full run too. Not part of the config")]
    public bool ExportPyTorch { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (!(TestFraction > 0 && TestFraction < 1))
            throw new Core.InvalidConfigurationException(FormattableString.Invariant($"test-fraction = {TestFraction}: expected a number between 0 and 1"));
        return base.Validate();
    }
}

/// <summary>`memscore full`: one model on the whole training split, train/test curves (the overfitting view).</summary>
public sealed class FullCommand : Command<FullSettings>
{
    public override int Execute(CommandContext context, FullSettings settings, CancellationToken cancellation)
    {
        var config = FullRunSplit.WithoutFoldFields(settings.ResolveConfig());
        // One model: all cores by default (run's default of 1 thread per model pays only with several models at once).
        if (settings.Threads is null && !ConfigFileSetsThreads(settings.ConfigFile)) config = config with { Threads = ExperimentConfig.AllCores() };
        var datasets = CliEnvironment.Datasets();
        var models = ModelRegistry.CreateDefault();
        ConfigValidator.Validate(config, datasets, models);
        TorchScriptAllocator.RequireSystemMalloc(config.Model);
        if (settings.ExportPyTorch) PyTorchExport.RequireExportable(config, models);
        string output = settings.Out ?? Path.Combine("runs", $"full-{config.Dataset}-{config.Hash()}");
        CheckBeforeWriting(config, models.Get(config.Model), datasets, new FullRunFolder(output), settings, cancellation);
        Console.Error.WriteLine($"memscore full: {config.Dataset}, {config.Model}, {config.Epochs} epochs, S={config.ImportanceSamples}, seed {config.Seed} -> {Path.GetFullPath(output)}");
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TaskPhase.Training) Console.Error.WriteLine($"  epoch {p.Epoch}/{p.Epochs}: train loss {p.Loss:F3}");
            else if (p.Phase == TaskPhase.Warning) Console.Error.WriteLine($"warning: {p.Note}");
        });
        var outcome = new FullRunner(datasets, models).Run(
            new FullRunRequest(config, output, settings.CacheDir, settings.TestFraction, settings.CheckpointEvery, settings.Download,
                settings.ExportPyTorch), progress, cancellation);
        Print(outcome, settings.ExportPyTorch);
        return ExitCodes.Success;
    }

    /// <summary>
    /// What must hold before FullRunner writes full.json: an existing full.json is intact (a damaged
    /// one is refused naming the field, exit 4), and on a first start the family's sanity pass runs on
    /// two examples of the training data (exit 2 naming the family and the input shape). The data are
    /// loaded here once more for it; the pass belongs in FullRunner.Run between FullRunSplit.Prepare and
    /// the manifest (<see cref="ModelSanityCheck"/>), where the task-loop refactor will put it.
    /// </summary>
    static void CheckBeforeWriting(ExperimentConfig config, ModelFamily family, DatasetRegistry datasets, FullRunFolder folder, FullSettings settings,
        CancellationToken cancellation)
    {
        if (File.Exists(folder.ManifestPath))
        {
            folder.ReadManifest();
            return;
        }
        if (Directory.Exists(folder.Root) && Directory.EnumerateFileSystemEntries(folder.Root).Any()) return;   // FullRunner refuses a foreign folder
        Storage.OutputFolder.RefuseInsideData(folder.Root, config.DataDir);
        using var data = TrainingData.Prepare(FullRunSplit.DataConfig(config), datasets, settings.CacheDir ?? datasets.DefaultCacheDirectory,
            family.InputFor(config.ModelOptions), settings.Download);
        ModelSanityCheck.Run(config, family, data, workers: 1, cancellation: cancellation);
    }

    static bool ConfigFileSetsThreads(string? path)
    {
        if (path is null) return false;
        using var json = System.Text.Json.JsonDocument.Parse(InputFile.ReadAllText(path, ErrorKind.InvalidInput, "a JSON config"));   // already validated by ResolveConfig
        return json.RootElement.TryGetProperty("threads", out _);
    }

    static void Print(FullRunOutcome outcome, bool exported)
    {
        string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        var c = outcome.Curves;
        Console.WriteLine(outcome.Reused ? "Already finished; nothing trained." : $"Finished in {outcome.Elapsed.TotalSeconds:F1} s.");
        Console.WriteLine($"{outcome.TrainCount} training and {outcome.TestCount} test examples ({outcome.TestSource}). Results: {outcome.Folder.Root}");
        Console.WriteLine($"{"epoch",5} {"train loss",11} {"train eval",11} {"test eval",11} {"gap",8}");
        for (int e = 0; e < c.CompletedEpochs; e++)
            Console.WriteLine($"{e + 1,5} {F(c.TrainLoss[e]),11} {F(c.TrainEvalLoss[e]),11} {F(c.TestEvalLoss[e]),11} {F(c.TestEvalLoss[e] - c.TrainEvalLoss[e]),8}");
        for (int k = 0; k < c.EvaluationEpochs.Length; k++)
        {
            double train = c.TrainLogP[k].Average(), test = c.TestLogP[k].Average();
            Console.WriteLine($"epoch {c.EvaluationEpochs[k]}: mean log p(x) train {F(train)}, test {F(test)} nats " +
                              $"({F(LogitTransform.BitsPerDimension(train, outcome.Dimensions))} / {F(LogitTransform.BitsPerDimension(test, outcome.Dimensions))} bits/dim)");
        }
        Console.WriteLine($"  curves.csv, full.npz, model.npz{(exported ? ", model.pt (PyTorch state dict)" : "")}; use with: memscore report RUN --full {outcome.Folder.Root}");
    }
}
