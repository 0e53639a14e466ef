using MemScore.Analysis;
using MemScore.Core;

namespace MemScore.Tests.Analysis;

public class UncertaintyTests
{
    static double Normal(SplitMix64 rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>In and out log-likelihoods ~ N(a_i, s^2) and N(b_i, s^2): true M_i = a_i - b_i exactly (same s).</summary>
    static (PerRepeatValues Values, double[] TrueM) Synthetic(int n, int repeats, int folds, double s, long seed)
    {
        var rng = new SplitMix64(seed);
        var a = Enumerable.Range(0, n).Select(_ => -100 + 5 * Normal(rng)).ToArray();
        var m = Enumerable.Range(0, n).Select(_ => 3 * rng.NextDouble()).ToArray();
        var inValues = Enumerable.Range(0, repeats).Select(_ => Enumerable.Range(0, n).Select(i =>
            Enumerable.Range(0, folds - 1).Select(_ => a[i] + s * Normal(rng)).ToArray()).ToArray()).ToArray();
        var outValues = Enumerable.Range(0, repeats).Select(_ => Enumerable.Range(0, n).Select(i => a[i] - m[i] + s * Normal(rng)).ToArray()).ToArray();
        return (new PerRepeatValues(inValues, outValues), m);
    }

    [Fact]
    public void Jackknife_removes_most_of_the_log_mean_exp_bias()
    {
        var (values, trueM) = Synthetic(n: 4000, repeats: 4, folds: 5, s: 1.0, seed: 7);
        double plainBias = values.Memorization().Zip(trueM, (e, t) => e - t).Average();
        double jackBias = Uncertainty.Jackknife(values).Zip(trueM, (e, t) => e - t).Average();
        // Theory: plain bias ~ (e^{s^2} - 1)/2 (1/L - 1/(L(K-1))) = 0.16 nats; the jackknife leaves O(1/L^2).
        // Standard error of each average over 4,000 examples is < 0.02, so these bounds are far from noise.
        Assert.InRange(plainBias, 0.08, 0.30);
        Assert.True(Math.Abs(jackBias) < Math.Abs(plainBias) / 2, $"jackknife bias {jackBias} vs plain {plainBias}");
    }

    [Fact]
    public void Reliability_is_high_when_examples_differ_a_lot_and_low_when_they_do_not()
    {
        var (clear, _) = Synthetic(n: 500, repeats: 6, folds: 4, s: 0.05, seed: 1);
        var (noisy, _) = Synthetic(n: 500, repeats: 2, folds: 4, s: 4.0, seed: 2);
        var good = Uncertainty.Summarize(clear);
        var bad = Uncertainty.Summarize(noisy);
        Assert.True(good.SplitHalfSpearman > 0.9, $"{good.SplitHalfSpearman}");
        Assert.False(good.RankingMostlyNoise);
        Assert.True(bad.SplitHalfSpearman < 0.3, $"{bad.SplitHalfSpearman}");
        Assert.True(bad.RankingMostlyNoise);
        Assert.True(bad.RepeatsForReliability08 > 2);
        Assert.All(good.StandardError, se => Assert.True(se > 0 && se < 0.5));
    }

    [Fact]
    public void Memorization_from_all_repeats_matches_a_direct_log_mean_exp()
    {
        var values = new PerRepeatValues([[[-1.0, -2.0]], [[-3.0, -4.0]]], [[-5.0], [-6.0]]);
        double expected = LogMath.LogMeanExp([-1.0, -2, -3, -4]) - LogMath.LogMeanExp([-5.0, -6]);
        Assert.Equal(expected, values.Memorization()[0], 12);
        Assert.Equal(LogMath.LogMeanExp([-1.0, -2]) + 5, values.Memorization([0])[0], 12);
        var byRepeats = Uncertainty.QuantilesByRepeats(values, [0.5]);
        Assert.Equal(2, byRepeats.Length);
        Assert.Equal(expected, byRepeats[1][0], 12);
    }
}
