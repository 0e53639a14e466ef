using MemScore.Analysis;

namespace MemScore.Tests.Analysis;

public class QuantileIntervalTests
{
    [Theory]
    // Exact values by summing C(n,k) p^k (1-p)^(n-k) by hand: n = 5, p = 0.5 -> 1/32, 6/32, 16/32; n = 3, p = 0.9 -> 0.001, 0.028, 0.271.
    [InlineData(5, 0.5, new[] { 1 / 32.0, 6 / 32.0, 16 / 32.0, 26 / 32.0, 31 / 32.0, 1.0 })]
    [InlineData(3, 0.9, new[] { 0.001, 0.028, 0.271, 1.0 })]
    public void The_binomial_cdf_matches_exact_sums(int n, double p, double[] expected)
    {
        var cdf = QuantileInterval.BinomialCdf(n, p);
        // Tolerance 1e-12: a few ulps of rounding in the log-space recurrence over <= 5 steps.
        for (int j = 0; j <= n; j++) Assert.Equal(expected[j], cdf[j], 12);
    }

    [Fact]
    public void The_cdf_of_a_large_n_ends_at_one_and_its_mean_is_np()
    {
        var cdf = QuantileInterval.BinomialCdf(60000, 0.999);
        // Tolerance 1e-7: the log pmf starts at n log(1 - p) = -4.1e5, whose rounding (~1e-10 per step) drifts over
        // 60,000 recurrence steps; an error of 1e-7 in F moves an interval's rank only when F lies that close to alpha/2.
        Assert.Equal(1.0, cdf[^1], 7);
        double mean = Enumerable.Range(0, cdf.Length).Sum(j => 1 - cdf[j]);   // E[B] = sum over j of P(B > j)
        Assert.Equal(59940, mean, 2);   // the same drift summed over the ~60 values of j where 1 - F(j) matters
    }

    [Fact]
    public void The_0_999_quantile_of_500_values_has_no_upper_bound_and_the_median_has_both()
    {
        var values = Enumerable.Range(1, 500).Select(i => (double)i).ToArray();
        var (low, high) = QuantileInterval.Of(values, 0.999);
        Assert.True(low is > 490 and <= 500);
        Assert.Equal(double.PositiveInfinity, high);
        var (medianLow, medianHigh) = QuantileInterval.Of(values, 0.5);
        Assert.True(medianLow < 250.5 && medianHigh > 250.5 && medianHigh - medianLow < 50);
    }

    /// <summary>
    /// Null: the data are i.i.d. uniform, so the 0.99 quantile is 0.99. Seed 20261201, 2000 samples of
    /// n = 500; the interval's coverage is at least 0.95 by construction. The count of misses is
    /// Binomial(2000, <= 0.05): mean <= 100, sd ~ 9.7; failing above 135 (3.6 sd) has probability below 2e-4.
    /// </summary>
    [Fact]
    public void The_interval_covers_the_true_quantile_at_least_at_the_nominal_rate()
    {
        var random = new Random(20261201);
        int misses = 0;
        for (int t = 0; t < 2000; t++)
        {
            var sample = Enumerable.Range(0, 500).Select(_ => random.NextDouble()).ToArray();
            var (low, high) = QuantileInterval.Of(sample, 0.99);
            if (!(low <= 0.99 && 0.99 <= high)) misses++;
        }
        Assert.InRange(misses, 0, 135);
    }
}
