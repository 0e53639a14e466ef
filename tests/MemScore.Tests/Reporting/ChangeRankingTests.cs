using MemScore.Analysis;
using MemScore.Analysis.Simulation;
using MemScore.Memorization;
using MemScore.Reporting;
using Xunit.Abstractions;

namespace MemScore.Tests.Reporting;

public class ChangeRankingTests(ITestOutputHelper output)
{
    static (Scores, double[]) Of(SimulatedRun run, long seed)
    {
        int n = run.Values.Count;
        var (u, v, _) = Estimators.Compute(run.Values, EstimatorKind.Paper, seed);
        var uu = new double[n, 1];
        var vv = new double[n, 1];
        for (int i = 0; i < n; i++) (uu[i, 0], vv[i, 0]) = (u[i], v[i]);
        var inference = ExampleStatistics.Compute(run.Values, new ExampleStatisticsOptions(Seed: seed,
            Permutation: new PermutationOptions(Permutations: 999, RefineBelow: 0), Reliability: new ReliabilityOptions(SampleSize: 500, Replicates: 2)));
        return (new Scores([1], uu, vv, new int[n], new int[n], new int[n], Enumerable.Range(0, n).ToArray()) { Inference = inference },
            PermutationInference.JackknifeShiftVariance(run.Values, new PermutationOptions(Seed: seed)));
    }

    /// <summary>
    /// No change: two runs of the same truth (new folds and models). The share of |z| &gt; 1.96 must stay
    /// near or below 5% (6% allowed: the z are approximate, normal errors with each centre's seed-to-seed
    /// variance; with the interval widths alone it was 9.4%), and BH at 10% must declare almost nothing (under the complete null P(any) &lt;= 0.1; allow 3
    /// of 3,000 for the approximation). A planted change of 10 nats on 10% of the examples at spread 0.5-2
    /// is found (power &gt; 0.8) and ranked first. Seeds fixed.
    /// </summary>
    [Fact]
    public void Changes_beyond_noise_are_rare_without_change_and_found_with_one()
    {
        var scenario = new SimulationScenario(3000, 5, 5, 1, 2, 0.5, 6, NoiseShape.RightSkewed, 0.3, 0, 10);
        var (before, jackBefore) = Of(LogLikelihoodSimulator.Generate(scenario), 3);
        var (after, jackAfter) = Of(LogLikelihoodSimulator.Generate(scenario with { NoiseSeed = 4 }), 5);
        var widthsOnly = ComparisonBuilder.Changes(before, after)!;
        var same = ComparisonBuilder.Changes(before, after, jackBefore, jackAfter)!;
        output.WriteLine($"no change, interval widths only: {widthsOnly.Beyond2} of {widthsOnly.Compared} with |z| > 1.96, {widthsOnly.Significant} at FDR 10%");
        output.WriteLine($"no change: {same.Beyond2} of {same.Compared} with |z| > 1.96, {same.Significant} at FDR 10%");
        Assert.True(same.Beyond2 <= 0.06 * same.Compared, $"{same.Beyond2} of {same.Compared}");
        Assert.True(same.Significant <= 3, $"{same.Significant}");

        var calm = new SimulationScenario(3000, 5, 5, 7, 8, 0.5, 2, NoiseShape.Gaussian);
        var changed = LogLikelihoodSimulator.Generate(calm with { EffectShare = 0.1, EffectMin = 10, EffectMax = 10, NoiseSeed = 9 });
        var (calmScores, calmJack) = Of(LogLikelihoodSimulator.Generate(calm), 3);
        var (changedScores, changedJack) = Of(changed, 5);
        var found = ComparisonBuilder.Changes(calmScores, changedScores, calmJack, changedJack)!;
        var planted = Enumerable.Range(0, 3000).Where(i => changed.Planted[i]).ToHashSet();
        double power = planted.Count(i => found.Q[i] <= 0.1) / (double)planted.Count;
        output.WriteLine($"planted change: power {power:F3}, {found.Significant} declared");
        Assert.True(power > 0.8, $"power {power}");
        Assert.All(found.Order.Take(20), i => Assert.Contains(i, planted));
    }
}
