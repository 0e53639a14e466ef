using MemScore.Analysis;

namespace MemScore.Tests.Analysis;

public class RhoAnalysisTests
{
    [Fact]
    public void Equal_count_bins_hold_the_hand_computed_means_and_intervals()
    {
        // Sorted by M: bin 0 holds M = 1, 2, 3 with rho 6, 5, 4 (mean 5, sd 1); bin 1 holds M = 4, 5, 6
        // with rho 3, 2, 1 (mean 2, sd 1). Interval: mean +- 1.959964 * 1 / sqrt(3) = +- 1.131586.
        var bins = RhoAnalysis.EqualCountBins([1.0, 2, 3, 4, 5, 6], [6.0, 5, 4, 3, 2, 1], 2);
        Assert.Equal(2, bins.Length);
        Assert.Equal((1.0, 3.0, 3, 5.0), (bins[0].MemorizationLow, bins[0].MemorizationHigh, bins[0].Count, bins[0].MeanRho));
        Assert.Equal((4.0, 6.0, 3, 2.0), (bins[1].MemorizationLow, bins[1].MemorizationHigh, bins[1].Count, bins[1].MeanRho));
        Assert.Equal(5 - 1.131586, bins[0].Lower95, 6);
        Assert.Equal(2 + 1.131586, bins[1].Upper95, 6);
    }

    [Fact]
    public void Bins_differ_in_size_by_at_most_one_and_singletons_have_no_interval()
    {
        var bins = RhoAnalysis.EqualCountBins([1.0, 1, 1, 1, 1, 1, 1], [1.0, 2, 3, 4, 5, 6, 7], 3);
        Assert.Equal([3, 2, 2], bins.Select(b => b.Count));
        Assert.Equal([1.0, 4, 6], bins.Select(b => b.MemorizationLow));
        var single = RhoAnalysis.EqualCountBins([2.0, 8], [0.0, 1], 2);
        Assert.True(double.IsNaN(single[0].Lower95));
        Assert.Equal(2.0, single[0].MeanRho);
    }

    [Fact]
    public void High_group_is_above_the_095_quantile_not_above_095()
    {
        // M = 0.00, 0.01, ..., 0.19: every M is below 0.95 (the reference code's raw split would find no
        // highly memorized example). Quantile: h = 19 * 0.95 = 18.05 -> 0.18 + 0.05 * 0.01 = 0.1805, so
        // only M = 0.19 is "high". Its rho is 10, all others 1.
        var m = Enumerable.Range(0, 20).Select(i => i / 100.0).ToArray();
        var rho = m.Select(v => v == 0.19 ? 10.0 : 1.0).ToArray();
        var summary = RhoAnalysis.Summarize(rho, m, bins: 4, histogramBins: 9);
        Assert.Equal(0.1805, summary.HighThreshold, 12);
        Assert.Equal(19, summary.Regular.Count);
        Assert.Equal(1, summary.High.Count);
        Assert.Equal([10.0, 10, 10, 10, 10], summary.High.Quantiles);
        Assert.Equal([1.0, 1, 1, 1, 1], summary.Regular.Quantiles);
        // Edges 1..10 in 9 bins of width 1: regular in the first, high in the last (closed) bin.
        Assert.Equal([19, 0, 0, 0, 0, 0, 0, 0, 0], summary.Regular.HistogramCounts);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1], summary.High.HistogramCounts);
        // Regular vs high: U = 0; ties: 19 ones, sum(t^3 - t) / (N (N - 1)) = 6840 / 380 = 18;
        // variance = 19 * 1 / 12 * (21 - 18) = 4.75; z = -9.5 / sqrt(4.75) = -4.358898943540674.
        Assert.Equal(0.0, summary.RegularVsHigh.U);
        Assert.Equal(-4.358898943540674, summary.RegularVsHigh.Z, 12);
        // Spearman: rho ranks (10 for the 19 ties, 20 for the top) against M ranks 1..20.
        Assert.Equal(Statistics.Pearson(m.Select(v => v == 0.19 ? 20.0 : 10.0).ToArray(), Enumerable.Range(1, 20).Select(i => (double)i).ToArray()), summary.Spearman, 12);
        Assert.Equal(0, summary.Excluded);
    }

    [Fact]
    public void NaN_rho_or_non_finite_M_is_excluded_and_counted_while_infinite_rho_is_kept_and_counted()
    {
        // 40 ordinary examples, one with rho = +Infinity (a generated image equal to x_i), one with M = NaN,
        // one with rho = NaN (x_i at distance 0 from a test image and a generated image).
        var m = Enumerable.Range(0, 40).Select(i => (double)i).Append(5).Append(double.NaN).Append(7).ToArray();
        var rho = Enumerable.Range(0, 40).Select(i => 1.0 + i % 3).Append(double.PositiveInfinity).Append(1).Append(double.NaN).ToArray();
        var summary = RhoAnalysis.Summarize(rho, m);
        Assert.Equal(2, summary.Excluded);
        Assert.Equal(1, summary.Infinite);
        Assert.Equal(41, summary.Regular.Count + summary.High.Count);
        Assert.Equal(1, summary.Regular.Infinite + summary.High.Infinite);
        Assert.Equal(41, summary.Bins.Sum(b => b.Count));
        Assert.Equal(1, summary.Bins.Sum(b => b.Infinite));
        Assert.All(summary.Bins, b => Assert.True(double.IsFinite(b.MeanRho)));   // the mean is over the finite rho
        Assert.Equal(40, summary.Regular.HistogramCounts.Sum() + summary.High.HistogramCounts.Sum());
    }

    [Fact]
    public void Quantiles_with_infinite_values_are_order_statistics_or_infinity()
    {
        double inf = double.PositiveInfinity;
        Assert.Equal(2.0, RhoAnalysis.Quantile([1.0, 2, 3], 0.5));
        Assert.Equal(2.0, RhoAnalysis.Quantile([1.0, 2, inf], 0.5));     // an exact order statistic (Statistics.Quantile: 0 x inf = NaN)
        Assert.Equal(inf, RhoAnalysis.Quantile([1.0, 2, inf], 0.75));    // between 2 and +inf
        Assert.Equal(inf, RhoAnalysis.Quantile([1.0, inf, inf], 0.75));  // between two infinities
        Assert.Equal(1.5, RhoAnalysis.Quantile([1.0, 2, 3, inf], 1.0 / 6), 12);
        Assert.Throws<ArgumentException>(() => RhoAnalysis.Quantile([1.0, double.NaN, inf], 0.5));
    }

    [Fact]
    public void Summarize_rejects_mismatched_lengths_and_constant_M()
    {
        Assert.Throws<ArgumentException>(() => RhoAnalysis.Summarize([1.0, 2], [1.0]));
        var constant = Enumerable.Repeat(1.0, 20).ToArray();
        Assert.Throws<ArgumentException>(() => RhoAnalysis.Summarize(constant, constant));
    }
}
