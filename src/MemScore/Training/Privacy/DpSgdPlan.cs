using MemScore.Configuration;
using MemScore.Models;

namespace MemScore.Training.Privacy;

/// <summary>
/// The DP-SGD settings of one trained model, resolved from the config and its training-set size n: clip norm C, noise
/// multiplier sigma (given, or the smallest reaching dp-epsilon), Poisson rate q = B / n, steps T = epochs x ceil(n / B),
/// and the epsilon the accountant gives at delta.
/// </summary>
public sealed record DpSgdPlan(double Clip, double NoiseMultiplier, double SamplingRate, long Steps, double Delta, double Epsilon)
{
    public const double DefaultClip = 1.0;
    /// <summary>delta when dp-delta is absent: 1e-5, below 1/n for every dataset here up to 100,000 training examples.</summary>
    public const double DefaultDelta = 1e-5;
    /// <summary>Families whose networks are Linear layers only (per-example norms by <see cref="PerExampleGradientNorms"/>).</summary>
    public static readonly string[] Families = [BernoulliMlpVae.FamilyName];

    public DpSgdStep Step => new(Clip, NoiseMultiplier * Clip);

    /// <summary>The plan of a model trained on <paramref name="trainingExamples"/> examples; null when the config trains without DP.</summary>
    public static DpSgdPlan? For(ExperimentConfig config, int trainingExamples)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.IsPrivate()) return null;
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingExamples, 1);
        double q = PoissonEpochTrainer.SamplingRate(config.BatchSize, trainingExamples);
        long steps = config.Epochs * EpochTrainer.StepsPerEpoch(trainingExamples, config.BatchSize);
        double delta = config.DpDelta ?? DefaultDelta;
        double sigma = config.DpNoiseMultiplier ?? SampledGaussianAccountant.NoiseMultiplierFor(config.DpEpsilon!.Value, q, steps, delta);
        return new DpSgdPlan(config.DpClip ?? DefaultClip, sigma, q, steps, delta, SampledGaussianAccountant.Epsilon(q, sigma, steps, delta));
    }

    /// <summary>Messages naming the field, value and what was expected; empty when the DP fields are valid.</summary>
    public static IEnumerable<string> Problems(ExperimentConfig config)
    {
        if (!config.IsPrivate())
        {
            if (config.DpClip is not null || config.DpDelta is not null)
                yield return $"dp-clip / dp-delta = {config.DpClip?.ToString() ?? config.DpDelta?.ToString()}: expected together with dp-noise-multiplier or dp-epsilon (DP-SGD is off without one)";
            yield break;
        }
        if (config.DpNoiseMultiplier is not null && config.DpEpsilon is not null)
            yield return $"dp-epsilon = {config.DpEpsilon}: expected either dp-noise-multiplier or dp-epsilon, not both (dp-noise-multiplier = {config.DpNoiseMultiplier})";
        if (config.DpNoiseMultiplier is double sigma && !(sigma >= 0 && sigma <= 1e6))
            yield return $"dp-noise-multiplier = {sigma}: expected a finite number in 0..1e6 (noise std / clip norm)";
        if (config.DpEpsilon is double epsilon && !(epsilon > 0 && epsilon <= 1e6))
            yield return $"dp-epsilon = {epsilon}: expected a finite number in (0, 1e6]";
        if (config.DpClip is double clip && !(clip > 0 && clip <= 1e12))
            yield return $"dp-clip = {clip}: expected a finite number > 0 (the per-example gradient norm bound C)";
        if (config.DpDelta is double delta && !(delta > 0 && delta < 1))
            yield return $"dp-delta = {delta}: expected a number in (0, 1), below 1/n";
        if (!Families.Contains(config.Model))
            yield return $"model = {config.Model}: DP-SGD (dp-noise-multiplier / dp-epsilon) trains only {string.Join(", ", Families)} (its per-example gradient norms come from its Linear layers)";
        if (config.FoldEnsembles)
            yield return "fold-ensembles = true: expected off with DP-SGD (each task samples its own Poisson batches)";
    }
}
