using System.ComponentModel;
using MemScore.Configuration;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>The DP-SGD flags of `run` and `full` (README, "Limiting memorization"); each sets the config field of its name.</summary>
public partial class RunSettings
{
    [CommandOption("--dp-noise-multiplier <SIGMA>")]
    [Description("Train with DP-SGD (bernoulli-mlp-vae): per-example gradients clipped to --dp-clip, Gaussian noise of std SIGMA x clip on their sum, Poisson-sampled batches; epsilon at --dp-delta goes to run.json and the report")]
    public double? DpNoiseMultiplier { get; init; }

    [CommandOption("--dp-epsilon <EPSILON>")]
    [Description("Train with DP-SGD, choosing the smallest noise multiplier whose (epsilon, --dp-delta) guarantee is EPSILON (RDP accountant); instead of --dp-noise-multiplier")]
    public double? DpEpsilon { get; init; }

    [CommandOption("--dp-clip <C>")]
    [Description("DP-SGD: bound C on each example's gradient norm (default 1)")]
    public double? DpClip { get; init; }

    [CommandOption("--dp-delta <DELTA>")]
    [Description("DP-SGD: the delta epsilon is stated at (default 1e-5; keep it below 1/n)")]
    public double? DpDelta { get; init; }

    bool SetsPrivacyField() => DpNoiseMultiplier is not null || DpEpsilon is not null || DpClip is not null || DpDelta is not null;

    ExperimentConfig WithPrivacyFlags(ExperimentConfig c) => c with
    {
        DpNoiseMultiplier = DpNoiseMultiplier ?? c.DpNoiseMultiplier,
        DpEpsilon = DpEpsilon ?? c.DpEpsilon,
        DpClip = DpClip ?? c.DpClip,
        DpDelta = DpDelta ?? c.DpDelta,
    };
}
