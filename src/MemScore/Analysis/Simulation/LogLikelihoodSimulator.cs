using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Analysis.Simulation;

/// <summary>Shape of the model-to-model noise of log p(x_i) (scaled by the example's spread sigma_i).</summary>
internal enum NoiseShape
{
    /// <summary>N(0, 1): p log-normal across models.</summary>
    Gaussian,
    /// <summary>N(0, 1) with probability 0.9, N(0, 3^2) with probability 0.1: symmetric heavy tails.</summary>
    Contaminated,
    /// <summary>N(0, 1) plus, with probability 0.1, an upward jump ~ Exponential(mean 2): single models that fit x_i far better than the rest (METHOD.md section 7).</summary>
    RightSkewed,
}

/// <summary>How a memorized example's in-model values differ from its out-model values.</summary>
internal enum EffectKind
{
    /// <summary>Every in-value is an out-value plus delta_i (in distribution). True M = delta_i.</summary>
    Shift,
    /// <summary>A share q = 0.3 of in-models jump by Delta_i, the rest are out-like. True M = log(1 - q + q e^Delta): not a shift.</summary>
    Jump,
}

/// <summary>
/// One simulated experiment: log p matrices [models x examples] for a real <see cref="FoldPlan"/>.
///
///   log p_{r,k}(x_i) = a_i + b_r + c_{r,k} + u_{r,i} + sigma_i sqrt(1 - rho) eps_{r,k,i} + 1[k != f_r(i)] delta_i
///
/// a_i ~ -100 + 10 N(0,1) (the example's typical log-likelihood); b_r ~ N(0, RepeatEffectSd^2) shared by
/// every model and example of a repeat; c_{r,k} ~ N(0, ModelEffectSd^2) shared by every example of one
/// model; u_{r,i} ~ N(0, rho sigma_i^2) shared by the K models of a repeat for example i (values within a
/// repeat correlated, as for real models sharing most of their training data); eps of the chosen
/// <see cref="NoiseShape"/>; sigma_i log-uniform in [SpreadMin, SpreadMax] (heterogeneous spread; 0.5 to 6
/// nats by default, METHOD.md section 7 measured ~6 median and ~18 at the 99th percentile).
///
/// The estimand ("true M"). The paper defines M_i = log E_A[p(x_i) | D] - log E_A[p(x_i) | D \ x_i],
/// expectations over the training randomness. With <see cref="EffectKind.Shift"/> the in-values are the
/// out-values shifted by delta_i in distribution, so E_in p = e^delta E_out p and M_i = delta_i exactly,
/// whatever the noise (for Gaussian noise: both sides log-normal with the same variance). With
/// <see cref="EffectKind.Jump"/> a share q of in-models gain Delta: M = log(1 - q + q e^Delta).
/// The finite-L paper estimator converges to something else: E[M_paper] = delta + E[LME_{L(K-1)}(noise)] -
/// E[LME_L(noise)], whose second part is positive (more terms, higher log-mean-exp), grows with sigma_i,
/// and vanishes only as L -&gt; inf when the noise has exponential moments (measured ~3.2 nats at sigma = 6,
/// L = K = 10). The balanced estimator has expectation delta exactly under the shift model.
/// </summary>
internal sealed record SimulationScenario(
    int Count,
    int Folds,
    int Repeats,
    long TruthSeed,
    long NoiseSeed,
    double SpreadMin = 0.5,
    double SpreadMax = 6,
    NoiseShape Noise = NoiseShape.Gaussian,
    double EffectShare = 0,
    double EffectMin = 0,
    double EffectMax = 0,
    EffectKind Effect = EffectKind.Shift,
    double RepeatEffectSd = 1,
    double ModelEffectSd = 0.5,
    double RepeatExampleShare = 0.3);

/// <param name="TrueM">The population M_i of the scenario (see <see cref="SimulationScenario"/>).</param>
/// <param name="Spread">sigma_i.</param>
/// <param name="Planted">True where the example was given an effect.</param>
internal sealed record SimulatedRun(SimulationScenario Scenario, FoldPlan Plan, ModelValues Values, double[] TrueM, double[] Spread, bool[] Planted);

/// <summary>Generates <see cref="SimulatedRun"/>s. Two scenarios with the same TruthSeed and different NoiseSeed are two independent runs (new fold plan, new models) of the same truth.</summary>
internal static class LogLikelihoodSimulator
{
    public const double JumpShare = 0.3;

    public static SimulatedRun Generate(SimulationScenario s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!(s.SpreadMin > 0 && s.SpreadMax >= s.SpreadMin)) throw new ArgumentOutOfRangeException(nameof(s), $"spreads {s.SpreadMin}..{s.SpreadMax}: need 0 < min <= max");
        if (!(s.RepeatExampleShare >= 0 && s.RepeatExampleShare < 1)) throw new ArgumentOutOfRangeException(nameof(s), s.RepeatExampleShare, "RepeatExampleShare must be in [0, 1)");
        int n = s.Count, l = s.Repeats, k = s.Folds;
        var truth = new SplitMix64(new SeedSchedule(s.TruthSeed).SimulationTruth);
        var baseline = new double[n];
        var spread = new double[n];
        var effect = new double[n];
        var planted = new bool[n];
        var trueM = new double[n];
        for (int i = 0; i < n; i++)
        {
            baseline[i] = -100 + 10 * Normal(truth);
            spread[i] = s.SpreadMin * Math.Pow(s.SpreadMax / s.SpreadMin, truth.NextDouble());
            planted[i] = truth.NextDouble() < s.EffectShare;
            effect[i] = planted[i] ? s.EffectMin + (s.EffectMax - s.EffectMin) * truth.NextDouble() : 0;
            trueM[i] = s.Effect == EffectKind.Shift ? effect[i] : Math.Log(1 - JumpShare + JumpShare * Math.Exp(effect[i]));
        }

        var plan = new FoldPlan(n, k, l, s.NoiseSeed);
        var noise = new SplitMix64(new SeedSchedule(s.NoiseSeed).SimulationNoise);
        double rho = s.RepeatExampleShare, own = Math.Sqrt(1 - rho);
        var values = new double[l][][];
        var outFold = new int[l][];
        var shared = new double[n];
        for (int r = 0; r < l; r++)
        {
            double repeatEffect = s.RepeatEffectSd * Normal(noise);
            for (int i = 0; i < n; i++) shared[i] = Math.Sqrt(rho) * spread[i] * Normal(noise);
            outFold[r] = Enumerable.Range(0, n).Select(i => plan.FoldOf(r, i)).ToArray();
            values[r] = new double[k][];
            for (int f = 0; f < k; f++)
            {
                double modelEffect = s.ModelEffectSd * Normal(noise);
                var v = values[r][f] = new double[n];
                for (int i = 0; i < n; i++)
                {
                    double x = baseline[i] + repeatEffect + modelEffect + shared[i] + own * spread[i] * Draw(noise, s.Noise);
                    if (f != outFold[r][i])
                        x += s.Effect == EffectKind.Shift ? effect[i] : noise.NextDouble() < JumpShare ? effect[i] : 0;
                    v[i] = x;
                }
            }
        }
        return new SimulatedRun(s, plan, ModelValues.Create(values, outFold), trueM, spread, planted);
    }

    static double Draw(SplitMix64 rng, NoiseShape shape) => shape switch
    {
        NoiseShape.Gaussian => Normal(rng),
        NoiseShape.Contaminated => rng.NextDouble() < 0.1 ? 3 * Normal(rng) : Normal(rng),
        NoiseShape.RightSkewed => Normal(rng) + (rng.NextDouble() < 0.1 ? -2 * Math.Log(1 - rng.NextDouble()) : 0),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    /// <summary>Standard normal by Box-Muller from two uniforms (1 - U keeps the log finite).</summary>
    public static double Normal(SplitMix64 rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
