using MemScore.Core;
using MemScore.Data;
using MemScore.Models;

namespace MemScore.Configuration;

/// <summary>
/// Checks a config once, where it enters; every message names the field, the value and what was expected.
/// Sizes have upper bounds (README, "Bounds"): far above any setting of the paper, below what would
/// overflow or exhaust memory before the first epoch. What fits in memory within them is checked
/// against the data by <see cref="Execution.ModelSanityCheck"/>. The model family validates its own
/// model-options (<see cref="ModelFamily.Options"/>).
/// </summary>
internal static class ConfigValidator
{
    public const int MaxFolds = 1000;
    public const int MaxRepeats = 1000;
    public const int MaxEpochs = 100_000;
    public const int MaxBatchSize = 65_536;
    public const int MaxLatentDim = 4096;
    public const int MaxImportanceSamples = 1_000_000;
    public const int MaxThreads = 1024;
    public const int MaxPadTo = 1024;

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
        Require(WeightDecayRule.Accepts(config.WeightDecay, config.LearningRate), "weight-decay", config.WeightDecay,
            $"a finite number in 0..{WeightDecayRule.Max} with learning-rate x weight-decay < 1 (0 = none)");
        Require(config.Dedup is null || (config.Dedup >= 0 && config.Dedup <= 1), "dedup", config.Dedup,
            "absent (no deduplication) or an RMS distance per pixel in 0..1 (0 = exact copies only)");
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
        // Only "cuda" can fail; "cpu" and "auto" are not resolved here, so that flag errors are found without loading libtorch (~0.4 s).
        if (config.Device == "cuda")
        {
            try { ComputeDevice.Resolve(config.Device); }   // before any folder is made: an unusable GPU is a config error
            catch (InvalidConfigurationException e) { errors.Add(e.Message); }
        }
        int inModels = config.Repeats * (config.Folds - 1);
        Require(config.InModels is null || (config.InModels >= 1 && config.InModels <= inModels), "in-models", config.InModels,
            $"absent (all in-models) or an integer in 1..{inModels} (L(K-1) = {config.Repeats} x {config.Folds - 1})");

        if (models.Contains(config.Model))
        {
            var family = models.Get(config.Model);
            errors.AddRange(family.Options.Problems(config.ModelOptions, family.Name));
            if (config.FoldEnsembles)
            {
                var trained = models.All.Where(f => f.Ensembles).Select(f => f.Name).ToArray();
                Require(family.Ensembles, "fold-ensembles", "true", $"model = {string.Join(" or ", trained)} " +
                    $"({(trained.Length == 1 ? "the only family" : "the families")} trained as ensembles), not {config.Model}");
                Require(config.ModelOptions.Count == 0, "fold-ensembles", "true",
                    $"no model-options (ensembles train the family's defaults), not model-options = {{{config.ModelOptions}}}");
                Require(config.InModels is null, "fold-ensembles", "true", $"no --in-models (ensembles evaluate every example under every member), not in-models = {config.InModels}");
            }
        }

        errors.AddRange(Training.Privacy.DpSgdPlan.Problems(config));
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
