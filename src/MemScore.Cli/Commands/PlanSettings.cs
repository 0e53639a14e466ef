using System.ComponentModel;
using MemScore.Configuration;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>Flags of `memscore plan`: the shared config flags and those of the K x L fold models (which `full` does not take).</summary>
public class PlanSettings : RunSettings
{
    [CommandOption("--folds <K>")]
    [Description("K folds per repeat (default 5; paper 10)")]
    public int? Folds { get; init; }

    [CommandOption("--repeats <L>")]
    [Description("L repeats with fresh fold splits (default 5; paper 10)")]
    public int? Repeats { get; init; }

    [CommandOption("--in-models <M>")]
    [Description("Cheaper estimator: U from M seeded in-models per example instead of all L(K-1); evaluation cost (L + M) n instead of L K n (default: all)")]
    public int? InModels { get; init; }

    [CommandOption("--fold-ensembles")]
    [Description("Train the K folds of each repeat as one batched network (bernoulli-mlp-vae only; part of the config: equal to separate models up to float round-off). Slower than separate models on CPU (bench/RESULTS.md); meant for GPUs")]
    public bool? FoldEnsembles { get; init; }

    [CommandOption("--estimator <NAME>")]
    [Description("How U pools the in-model values: paper (default, Algorithm 1: all L(K-1) in-values) or balanced (equal in/out counts, so M is 0 in expectation without memorization). Aggregation only: task files and the config hash do not change")]
    public string? Estimator { get; init; }

    [CommandOption("--target-reliability <R>")]
    [Description("Add repeats until the predicted seed-to-seed Spearman of the M ranking reaches R in (0, 1) (checked from 2 complete repeats on), at most --max-repeats; task files are those of --repeats N")]
    public double? TargetReliability { get; init; }

    [CommandOption("--max-repeats <N>")]
    [Description("With --target-reliability: the most repeats to train (>= 2); plans N repeats")]
    public int? MaxRepeats { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (MaxRepeats is int max && Repeats is int repeats && max != repeats)
            throw new Core.InvalidConfigurationException($"max-repeats = {max}: --repeats {repeats} is given too; with --target-reliability give --max-repeats only");
        ResolveTarget(MemScore.Analysis.Estimators.Parse(Estimator));   // refuses a bad --estimator, --target-reliability or --max-repeats
        return base.Validate();
    }

    /// <summary>--target-reliability / --max-repeats as a stopping rule (null when neither is given), validated naming the flags.</summary>
    internal RepeatTarget? ResolveTarget(MemScore.Analysis.EstimatorKind estimator) =>
        RepeatTarget.FromFlags(TargetReliability, MaxRepeats, estimator);

    protected override bool SetsVerbConfigField() => new object?[] { Folds, Repeats, MaxRepeats, InModels, FoldEnsembles }.Any(v => v is not null);

    /// <summary>--max-repeats N plans N repeats.</summary>
    protected override ExperimentConfig WithVerbFields(ExperimentConfig c) => c with
    {
        Folds = Folds ?? c.Folds,
        Repeats = MaxRepeats ?? Repeats ?? c.Repeats,
        InModels = InModels ?? c.InModels,
        FoldEnsembles = FoldEnsembles ?? c.FoldEnsembles,
    };
}
