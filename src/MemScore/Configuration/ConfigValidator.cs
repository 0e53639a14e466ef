using MemScore.Core;
using MemScore.Data;
using MemScore.Models;

namespace MemScore.Configuration;

/// <summary>
/// Checks a config once, where it enters; every message names the field, the value and what was expected.
/// Sizes have upper bounds (README, "Bounds"): far above any setting of the paper, below what would
/// overflow or exhaust memory before the first epoch. What fits in memory within them is checked
/// against the data by <see cref="Execution.ModelSanityCheck"/>.
/// </summary>
public static class ConfigValidator
{
    public const int MaxFolds = 1000;
    public const int MaxRepeats = 1000;
    public const int MaxEpochs = 100_000;
    public const int MaxBatchSize = 65_536;
    public const int MaxLatentDim = 4096;
    public const int MaxImportanceSamples = 1_000_000;
    public const int MaxThreads = 1024;
    public const int MaxPadTo = 1024;
    public const int MaxFeatureMaps = 256;
    public const int MaxMixtureComponents = 100;

    public static void Validate(ExperimentConfig config, DatasetRegistry datasets, ModelRegistry models)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        void Require(bool ok, string field, object? value, string expected)
        {
            if (!ok) errors.Add($"{field} = {value ?? "null"}: expected {expected}");
        }

        Require(datasets.Contains(config.Dataset), "dataset", config.Dataset, "one of " + string.Join(", ", datasets.All.Select(d => d.Name)));
        Require(models.Contains(config.Model), "model", config.Model, "one of " + string.Join(", ", models.Names));
        Require(config.Limit is null or >= 2, "limit", config.Limit, "an integer >= 2");
        Require(config.Folds is >= 2 and <= MaxFolds, "folds", config.Folds, $"an integer in 2..{MaxFolds} (K folds; each model leaves one fold out)");
        Require(config.Repeats is >= 1 and <= MaxRepeats, "repeats", config.Repeats, $"an integer in 1..{MaxRepeats}");
        Require(config.Epochs is >= 1 and <= MaxEpochs, "epochs", config.Epochs, $"an integer in 1..{MaxEpochs}");
        Require(config.EvalEvery >= 1, "eval-every", config.EvalEvery, "an integer >= 1");
        Require(double.IsFinite(config.LearningRate) && config.LearningRate > 0, "learning-rate", config.LearningRate, "a finite number > 0");
        Require(config.BatchSize is >= 1 and <= MaxBatchSize, "batch-size", config.BatchSize, $"an integer in 1..{MaxBatchSize}");
        Require(config.LatentDim is >= 1 and <= MaxLatentDim, "latent-dim", config.LatentDim, $"an integer in 1..{MaxLatentDim}");
        Require(config.ImportanceSamples is >= 1 and <= MaxImportanceSamples, "is-samples", config.ImportanceSamples, $"an integer in 1..{MaxImportanceSamples}");
        Require(config.EvalBatchSize is >= 1 and <= MaxBatchSize, "eval-batch-size", config.EvalBatchSize, $"an integer in 1..{MaxBatchSize}");
        Require(config.Seed >= 0, "seed", config.Seed, "an integer >= 0");
        Require(config.Threads is >= 1 and <= MaxThreads, "threads", config.Threads, $"an integer in 1..{MaxThreads}");
        Require(ExperimentConfig.TrainBinarizationModes.Contains(config.TrainBinarization), "train-binarization", config.TrainBinarization,
            string.Join(" or ", ExperimentConfig.TrainBinarizationModes));
        Require(config.PadTo is >= 0 and <= MaxPadTo, "pad-to", config.PadTo, $"an integer in 0..{MaxPadTo}");
        Require(ComputeDevice.Names.Contains(config.Device), "device", config.Device, string.Join(", ", ComputeDevice.Names));
        if (ComputeDevice.Names.Contains(config.Device))
        {
            try { ComputeDevice.Resolve(config.Device); }   // before any folder is made: an unusable GPU is a config error
            catch (InvalidConfigurationException e) { errors.Add(e.Message); }
        }
        int inModels = config.Repeats * (config.Folds - 1);
        Require(config.InModels is null || (config.InModels >= 1 && config.InModels <= inModels), "in-models", config.InModels,
            $"absent (all in-models) or an integer in 1..{inModels} (L(K-1) = {config.Repeats} x {config.Folds - 1})");

        string[] dcVaes = [BernoulliDcVae.FamilyName, GaussianDcVae.FamilyName, ConstantGaussianDcVae.FamilyName, LogisticMixtureDcVae.FamilyName];
        Require(config.FeatureMaps is null || (config.FeatureMaps is >= 1 and <= MaxFeatureMaps && dcVaes.Contains(config.Model)), "feature-maps", config.FeatureMaps,
            dcVaes.Contains(config.Model) ? $"an integer in 1..{MaxFeatureMaps}" : $"no value for model {config.Model} (it applies to {string.Join(", ", dcVaes)})");
        Require(config.MixtureComponents is null || (config.MixtureComponents is >= 1 and <= MaxMixtureComponents && config.Model == LogisticMixtureDcVae.FamilyName), "mixture-components",
            config.MixtureComponents, config.Model == LogisticMixtureDcVae.FamilyName ? $"an integer in 1..{MaxMixtureComponents}" : $"no value for model {config.Model} (it applies to {LogisticMixtureDcVae.FamilyName})");

        bool torchScript = config.Model == Models.TorchScript.TorchScriptFamily.FamilyName;
        Require(torchScript == config.TorchScript is not null, "torchscript", config.TorchScript is null ? null : config.TorchScript.Path,
            torchScript ? "the module file (--model-file FILE)" : $"no module file for model {config.Model} (it applies to model = torchscript)");
        if (torchScript && config.TorchScript is { } module) errors.AddRange(module.Problems());

        if (config.FoldEnsembles)
        {
            Require(config.Model == BernoulliMlpVae.FamilyName, "fold-ensembles", "true", $"model = {BernoulliMlpVae.FamilyName} (the only family trained as ensembles), not {config.Model}");
            Require(config.InModels is null, "fold-ensembles", "true", $"no --in-models (ensembles evaluate every example under every member), not in-models = {config.InModels}");
        }

        if (errors.Count > 0) throw new InvalidConfigurationException(string.Join("; ", errors));
    }

    /// <summary>Checks that need the data: folds cannot exceed the number of examples.</summary>
    public static void ValidateAgainstData(ExperimentConfig config, int count)
    {
        if (config.Limit is int limit && limit > count)
            throw new InvalidConfigurationException($"limit = {limit}: expected at most the {count} examples the dataset holds");
        int n = config.Limit ?? count;
        if (config.Folds > n)
            throw new InvalidConfigurationException($"folds = {config.Folds}: expected at most the number of examples ({n})");
    }
}
