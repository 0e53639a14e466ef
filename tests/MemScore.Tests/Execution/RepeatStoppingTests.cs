using MemScore.Analysis;
using MemScore.Analysis.Simulation;
using MemScore.Core;
using MemScore.Storage;

namespace MemScore.Tests.Execution;

/// <summary>
/// The stopping rule of --target-reliability on simulated log p matrices (Analysis/Simulation, fixed
/// seeds, 600 examples, K = 5, L = 5, spreads 0.5-6 nats). Structural checks (the stop is the first repeat
/// count whose prediction reaches the target; predictions are reused and deterministic) hold for any draw.
/// The two regime checks rest on the predictor's validation (ReliabilityTests: within 0.1 of the measured
/// seed-to-seed Spearman): under the null (no memorization, measured Spearman ~0.1) a target of 0.8 is
/// not reached, with all examples memorized by U(0, 20) nats (measured ~0.9) a target of 0.5 is. At these
/// fixed seeds the outcome is deterministic; with other seeds the margins (0.7 and 0.4) put the
/// false-failure rate far below 1%.
/// </summary>
public class RepeatStoppingTests
{
    static ModelValues Simulate(double effectShare) =>
        LogLikelihoodSimulator.Generate(new SimulationScenario(600, 5, 5, 11, 100, EffectShare: effectShare, EffectMin: 0, EffectMax: 20)).Values;

    static TargetProgress Evaluate(ModelValues values, double target, int complete, int max = 5, TargetProgress? known = null) =>
        RepeatStopping.Evaluate(new RepeatTarget(target, max), complete, l => values.Subset(Enumerable.Range(0, l).ToArray()), 42, known: known);

    [Fact]
    public void Strong_memorization_stops_at_the_first_repeat_count_that_reaches_the_target()
    {
        var values = Simulate(1);
        var progress = Evaluate(values, 0.5, 5);
        Assert.True(progress.Reached);
        Assert.Equal(progress.Predictions[^1].Repeats, progress.StopAt);
        Assert.True(progress.Predictions[^1].PredictedSpearman >= 0.5);
        Assert.All(progress.Predictions.SkipLast(1), p => Assert.True(p.PredictedSpearman < 0.5));
        Assert.Equal(progress.StopAt, progress.RepeatsUsed);
        Assert.False(progress.Needs(progress.StopAt!.Value));
        Assert.True(progress.Needs(progress.StopAt.Value - 1));
        Assert.Contains("reached with", progress.Sentence());
    }

    [Fact]
    public void Under_the_null_the_target_is_not_reached_and_every_repeat_is_used()
    {
        var values = Simulate(0);
        var progress = Evaluate(values, 0.8, 5);
        Assert.False(progress.Reached);
        Assert.True(progress.Finished);
        Assert.Equal(5, progress.RepeatsUsed);
        Assert.Equal([2, 3, 4, 5], progress.Predictions.Select(p => p.Repeats));
        Assert.All(progress.Predictions, p => Assert.InRange(p.PredictedSpearman, -0.2, 0.5));
        Assert.Contains("not reached: all 5 repeats", progress.Sentence());
    }

    [Fact]
    public void A_partial_run_keeps_going_and_known_predictions_are_reused_bit_for_bit()
    {
        var values = Simulate(0);
        var partial = Evaluate(values, 0.99, 3);
        Assert.False(partial.Finished);
        Assert.True(partial.Needs(4));
        Assert.Equal(3, partial.RepeatsUsed);
        Assert.Contains("not reached yet: 3 of at most 5", partial.Sentence());
        var full = Evaluate(values, 0.99, 5, known: partial);
        var fresh = Evaluate(values, 0.99, 5);
        Assert.Equal(fresh.Predictions, full.Predictions);   // records of doubles: exact equality
        Assert.Equal(partial.Predictions, full.Predictions.Take(2));
    }

    [Fact]
    public void Fewer_than_two_complete_repeats_predict_nothing()
    {
        var progress = Evaluate(Simulate(1), 0.1, 1);
        Assert.Empty(progress.Predictions);
        Assert.False(progress.Reached);
        Assert.Equal(1, progress.RepeatsUsed);
        Assert.True(progress.Needs(4));
    }

    [Fact]
    public void The_predictor_is_the_reports_number_exactly()
    {
        var values = Simulate(0.2);
        foreach (var estimator in new[] { EstimatorKind.Paper, EstimatorKind.Balanced })
        {
            double report = ExampleStatistics.Compute(values, new ExampleStatisticsOptions(estimator, Seed: 7)).PredictedReliability;
            Assert.Equal(report, RankingReliability.PredictedSpearman(values, estimator, 7));
        }
    }

    [Theory]
    [InlineData(0.0, 5, "target-reliability = 0")]
    [InlineData(1.0, 5, "target-reliability = 1")]
    [InlineData(1.5, 5, "target-reliability = 1.5")]
    [InlineData(double.NaN, 5, "target-reliability = NaN")]
    [InlineData(-0.2, 5, "target-reliability = -0.2")]
    [InlineData(0.8, 1, "max-repeats = 1")]
    [InlineData(0.8, 0, "max-repeats = 0")]
    public void Targets_outside_the_range_are_refused_naming_the_flag_and_value(double r, int n, string expected)
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => RepeatTarget.FromFlags(r, n, EstimatorKind.Paper));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void The_flags_go_together()
    {
        Assert.Null(RepeatTarget.FromFlags(null, null, EstimatorKind.Paper));
        Assert.StartsWith("max-repeats = 4", Assert.Throws<InvalidConfigurationException>(() => RepeatTarget.FromFlags(null, 4, EstimatorKind.Paper)).Message);
        Assert.Contains("needs --max-repeats", Assert.Throws<InvalidConfigurationException>(() => RepeatTarget.FromFlags(0.8, null, EstimatorKind.Paper)).Message);
        Assert.Equal(new RepeatTarget(0.8, 4), RepeatTarget.FromFlags(0.8, 4, EstimatorKind.Paper));
    }
}
