using MemScore.Analysis;
using MemScore.Core;

namespace MemScore.Tests.Analysis;

public class StatisticsTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 10.0)]
    [InlineData(0.5, 5.5)]
    [InlineData(0.95, 9.55)]      // h = 9 * 0.95 = 8.55 -> 9 + 0.55 * (10 - 9)
    [InlineData(0.25, 3.25)]
    public void Quantile_interpolates_linearly_like_numpy(double q, double expected)
    {
        double[] values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
        Assert.Equal(expected, Statistics.Quantile(values, q), 12);
    }

    [Fact]
    public void Quantile_rejects_NaN_and_bad_q()
    {
        Assert.Throws<ArgumentException>(() => Statistics.Quantile([1.0, double.NaN], 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Quantile([1.0], 1.5));
        Assert.Throws<ArgumentException>(() => Statistics.Quantile([], 0.5));
    }

    [Fact]
    public void Ranks_average_ties_and_spearman_matches_hand_values()
    {
        Assert.Equal([1.0, 2.5, 2.5, 4.0], Statistics.Ranks([1.0, 5.0, 5.0, 9.0]));
        Assert.Equal(1.0, Statistics.Spearman([1.0, 2, 3, 4], [10.0, 20, 30, 400]), 12);
        Assert.Equal(-1.0, Statistics.Spearman([1.0, 2, 3, 4], [4.0, 3, 2, 1]), 12);
        // d = (0, -1, 1, 0, 0): rho = 1 - 6 * 2 / (5 * 24) = 0.9
        Assert.Equal(0.9, Statistics.Spearman([1.0, 2, 3, 4, 5], [1.0, 3, 2, 4, 5]), 12);
    }

    [Fact]
    public void Spearman_brown_round_trips()
    {
        Assert.Equal(2 * 0.5 / 1.5, Statistics.SpearmanBrown(0.5, 2), 12);
        double k = Statistics.LengthFactorFor(0.3, 0.8);
        Assert.Equal(0.8, Statistics.SpearmanBrown(0.3, k), 12);
        Assert.Equal(double.PositiveInfinity, Statistics.LengthFactorFor(0, 0.8));
    }

    [Fact]
    public void Histogram_counts_every_value_once()
    {
        var h = Histogram.Of([0.0, 0.1, 0.5, 0.9, 1.0], 2);
        Assert.Equal([0.0, 0.5, 1.0], h.Edges);
        Assert.Equal([2, 3], h.Counts);
        Assert.Equal([5], Histogram.Of([3.0, 3, 3, 3, 3], 1).Counts);
    }

    [Fact]
    public void Roc_auc_equals_the_brute_force_pairwise_probability()
    {
        var rng = new SplitMix64(5);
        var pos = Enumerable.Range(0, 300).Select(_ => Math.Round(rng.NextDouble() + 0.3, 2)).ToArray();
        var neg = Enumerable.Range(0, 200).Select(_ => Math.Round(rng.NextDouble(), 2)).ToArray();
        double pairs = 0;
        foreach (double p in pos) foreach (double n in neg) pairs += p > n ? 1 : p == n ? 0.5 : 0;
        var roc = MembershipInference.Roc(pos, neg);
        Assert.Equal(pairs / (pos.Length * neg.Length), roc.Auc, 12);
        Assert.Equal(0.0, roc.FalsePositiveRate[0]);
        Assert.Equal(1.0, roc.TruePositiveRate[^1]);
        // TPR at FPR <= f: brute force over thresholds t = each distinct score.
        foreach (double f in new[] { 0.01, 0.1, 0.5 })
        {
            double best = 0;
            foreach (double t in pos.Concat(neg).Distinct())
                if (neg.Count(n => n >= t) / (double)neg.Length <= f) best = Math.Max(best, pos.Count(p => p >= t) / (double)pos.Length);
            Assert.Equal(best, roc.TprAtFpr(f), 12);
        }
    }

    [Fact]
    public void Roc_of_separable_and_identical_scores()
    {
        Assert.Equal(1.0, MembershipInference.Roc([5.0, 6], [1.0, 2]).Auc, 12);
        Assert.Equal(0.5, MembershipInference.Roc([1.0, 1], [1.0, 1]).Auc, 12);
    }
}
