using MemScore.Configuration;
using MemScore.Models;

namespace MemScore.Training.Privacy;

/// <summary>
/// The DP-SGD settings of one trained model, resolved from the config and its training-set size n: clip norm C, noise
/// multiplier sigma (given, or the smallest reaching dp-epsilon), Poisson rate q = B / n, steps T = epochs x ceil(n / B),
/// and the epsilon the accountant gives at delta.
/// </summary>
internal sealed record DpSgdPlan(double Clip, double NoiseMultiplier, double SamplingRate, long Steps, double Delta, double Epsilon)
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

    /// <summary>
    /// The plan of the fold models of a run over <paramref name="examples"/> examples: they train on n - ceil(n/K) or
    /// n - floor(n/K) examples; the one with the larger epsilon is stated (the guarantee every fold model meets).
    /// </summary>
    public static DpSgdPlan ForFoldModels(ExperimentConfig config, int examples)
    {
        int large = examples - examples / config.Folds, small = examples - (examples + config.Folds - 1) / config.Folds;
        var plans = new[] { For(config, large), For(config, Math.Max(1, small)) };
        return plans.MaxBy(p => p!.Epsilon) ?? throw new InvalidOperationException("DP-SGD is off in this config");
    }

    /// <summary>The run.json entry "privacy".</summary>
    public System.Text.Json.Nodes.JsonObject ToJson() => new()
    {
        ["mechanism"] = "DP-SGD: per-example clipping, Gaussian noise on the sum, Poisson sampling",
        ["accountant"] = "RDP of the sampled Gaussian (Mironov, Talwar, Zhang 2019), orders 1.1..63, conversion of Balle et al. 2020",
        ["clip"] = Clip,
        ["noise_multiplier"] = NoiseMultiplier,
        ["sampling_rate"] = SamplingRate,
        ["steps"] = Steps,
        ["delta"] = Delta,
        ["epsilon"] = Epsilon,
    };

    /// <summary>One line for reports: "(epsilon, delta) = (2.31, 1e-05) ...".</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"DP-SGD: (epsilon, delta) = ({Epsilon:0.##}, {Delta:g3}) per fold model, noise multiplier {NoiseMultiplier:0.###}, clip {Clip:G4}, sampling rate {SamplingRate:G3}, {Steps} steps");

    /// <summary>Messages naming the field, value and what was expected; empty when the DP fields are valid.</summary>
    public static IEnumerable<string> Problems(ExperimentConfig config)
    {
        if (!config.IsPrivate())
        {
            if (config.DpClip is double unusedClip)
                yield return $"dp-clip = {unusedClip}: expected together with dp-noise-multiplier or dp-epsilon (DP-SGD is off without one)";
            if (config.DpDelta is double unusedDelta)
                yield return $"dp-delta = {unusedDelta}: expected together with dp-noise-multiplier or dp-epsilon (DP-SGD is off without one)";
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
