using MemScore.Analysis;
using MemScore.Analysis.Simulation;
using MemScore.Core;
using Xunit.Abstractions;

namespace MemScore.Tests.Analysis;

/// <summary>
/// The harness itself and the estimators against its known truth (item 1 of issue 12). The truth:
/// with shift effects, population M_i = delta_i (see <see cref="SimulationScenario"/>).
/// </summary>
public class SimulationHarnessTests(ITestOutputHelper output)
{
    [Fact]
    public void Harness_uses_the_real_fold_plan_and_plants_the_stated_effects()
    {
        var run = LogLikelihoodSimulator.Generate(new SimulationScenario(500, 5, 3, TruthSeed: 1, NoiseSeed: 2, EffectShare: 0.3, EffectMin: 2, EffectMax: 4));
        var plan = new MemScore.Memorization.FoldPlan(500, 5, 3, 2);
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < 500; i++) Assert.Equal(plan.FoldOf(r, i), run.Values.OutFold(r, i));
        Assert.InRange(run.Planted.Count(p => p), 110, 190);   // Binomial(500, 0.3): mean 150, sd 10; +-4 sd
        Assert.All(Enumerable.Range(0, 500), i => Assert.True(run.Planted[i] ? run.TrueM[i] is >= 2 and <= 4 : run.TrueM[i] == 0));
        Assert.All(run.Spread, s => Assert.InRange(s, 0.5, 6));
        // Same truth seed, other noise seed: same truth, other models and folds.
        var twin = LogLikelihoodSimulator.Generate(run.Scenario with { NoiseSeed = 3 });
        Assert.Equal(run.TrueM, twin.TrueM);
        Assert.NotEqual(run.Values.Value(0, 0, 0), twin.Values.Value(0, 0, 0));
        // Jump effects: the true M is log(1 - q + q e^Delta), not Delta.
        var jump = LogLikelihoodSimulator.Generate(run.Scenario with { Effect = EffectKind.Jump });
        int planted = Array.IndexOf(jump.Planted, true);
        Assert.Equal(Math.Log(0.7 + 0.3 * Math.Exp(run.TrueM[planted])), jump.TrueM[planted], 12);
    }

    /// <summary>
    /// Null hypothesis: no memorization (delta = 0). The balanced estimator's mean over examples must be 0
    /// (E[M_bal | H0] = 0 exactly); the paper's must be positive and grow with the spread (count
    /// asymmetry). Seeds fixed; tolerance 5 standard errors of the mean over 4,000 examples (the standard
    /// error is measured from the same data, times 1.5 for the correlation that shared model effects
    /// induce between examples): false-failure rate below 1e-5 per cell.
    /// </summary>
    [Theory]
    [InlineData(2, 5, nameof(NoiseShape.Gaussian))]
    [InlineData(5, 2, nameof(NoiseShape.Contaminated))]
    [InlineData(5, 10, nameof(NoiseShape.RightSkewed))]
    [InlineData(10, 5, nameof(NoiseShape.Gaussian))]
    [InlineData(10, 10, nameof(NoiseShape.RightSkewed))]
    public void Balanced_estimator_is_unbiased_under_the_null_and_the_paper_estimator_is_not(int l, int k, string shapeName)
    {
        var shape = Enum.Parse<NoiseShape>(shapeName);
        var run = LogLikelihoodSimulator.Generate(new SimulationScenario(4000, k, l, 5, 6, 0.5, 6, shape));
        var balanced = Estimators.Compute(run.Values, EstimatorKind.Balanced, 7).M;
        var paper = Estimators.Compute(run.Values, EstimatorKind.Paper, 7).M;
        double mean = balanced.Average(), se = 1.5 * Statistics.StandardDeviation(balanced) / Math.Sqrt(balanced.Length);
        output.WriteLine($"L={l} K={k} {shape}: mean balanced M {mean:F3} (se {se:F3}), mean paper M {paper.Average():F3}");
        Assert.True(Math.Abs(mean) < 5 * se, $"balanced mean {mean} with se {se}");
        if (k == 2) Assert.Equal(paper, balanced);   // one in-value per repeat: the two estimators coincide
        else
        {
            // Paper bias by spread: lowest vs highest third of sigma_i; the bias grows with sigma.
            var order = Enumerable.Range(0, 4000).OrderBy(i => run.Spread[i]).ToArray();
            double low = order.Take(1333).Average(i => paper[i]), high = order.Skip(2667).Average(i => paper[i]);
            Assert.True(high > low + 0.5 && high > 10 * se, $"paper M: {low} (low spread) vs {high} (high spread)");
        }
    }

    /// <summary>
    /// Shift effects delta ~ U(0, 10) on half the examples: E[M_bal] = delta exactly (log-mean-exp is
    /// shift-equivariant). Mean error over 4,000 examples within 5 standard errors (x1.5 for correlation).
    /// </summary>
    [Theory]
    [InlineData(5, 5, nameof(NoiseShape.Contaminated))]
    [InlineData(10, 10, nameof(NoiseShape.RightSkewed))]
    public void Balanced_estimator_is_unbiased_for_planted_shifts(int l, int k, string shapeName)
    {
        var shape = Enum.Parse<NoiseShape>(shapeName);
        var run = LogLikelihoodSimulator.Generate(new SimulationScenario(4000, k, l, 8, 9, 0.5, 6, shape, 0.5, 0, 10));
        var error = Estimators.Compute(run.Values, EstimatorKind.Balanced, 1).M.Zip(run.TrueM, (m, t) => m - t).ToArray();
        double mean = error.Average(), se = 1.5 * Statistics.StandardDeviation(error) / Math.Sqrt(error.Length);
        Assert.True(Math.Abs(mean) < 5 * se, $"mean error {mean} with se {se}");
    }

    [Fact]
    public void Estimators_match_a_direct_log_mean_exp()
    {
        // One example, L = 2, K = 3; out folds 0 and 2. Balanced offsets are seeded: check against them.
        double[][][] values = [[[-1.0], [-2.0], [-3.0]], [[-4.0], [-5.0], [-6.0]]];
        var mv = ModelValues.Create(values, [[0], [2]]);
        var (u, v, m) = Estimators.Compute(mv, EstimatorKind.Paper, 3);
        Assert.Equal(LogMath.LogMeanExp([-2.0, -3, -4, -5]), u[0], 12);
        Assert.Equal(LogMath.LogMeanExp([-1.0, -6]), v[0], 12);
        Assert.Equal(u[0] - v[0], m[0], 12);
        var offsets = Estimators.BalancedOffsets(2, 3, 3);
        // In-folds in order: repeat 0 -> [1, 2] (values -2, -3), repeat 1 -> [0, 1] (values -4, -5).
        double[][] ins = [[-2.0, -3.0], [-4.0, -5.0]];
        double expected = Enumerable.Range(0, 2).Average(g => LogMath.LogMeanExp([ins[0][(g + offsets[0]) % 2], ins[1][(g + offsets[1]) % 2]]));
        Assert.Equal(expected, Estimators.Compute(mv, EstimatorKind.Balanced, 3).U[0], 12);
        Assert.Equal(EstimatorKind.Balanced, Estimators.Parse("Balanced"));
        var error = Assert.Throws<InvalidConfigurationException>(() => Estimators.Parse("median"));
        Assert.Contains("estimator = median", error.Message);
    }
}
