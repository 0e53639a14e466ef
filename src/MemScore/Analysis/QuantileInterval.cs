namespace MemScore.Analysis;

/// <summary>
/// Distribution-free confidence interval for a population quantile from order statistics (Conover,
/// Practical Nonparametric Statistics, 3rd ed., section 3.2): the number B of sample values below the
/// population q-quantile is Binomial(n, q), so P(X_(r) &lt;= xi_q &lt;= X_(s)) = F(s-1) - F(r-1) with F the
/// binomial CDF. r is the largest rank with F(r-1) &lt;= alpha/2 and s the smallest with F(s-1) &gt;= 1 - alpha/2;
/// no such r gives -inf, s &gt; n gives +inf (the sample cannot bound that side: the 0.999 quantile of 500
/// values has no finite upper bound). Coverage is at least <c>level</c> for continuous data.
/// </summary>
internal static class QuantileInterval
{
    public static (double Lower, double Upper) Of(IReadOnlyList<double> values, double q, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(q > 0 && q < 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "must be in (0, 1)");
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "must be in (0, 1)");
        if (values.Count == 0) return (double.NaN, double.NaN);
        var sorted = values.ToArray();
        if (sorted.Any(double.IsNaN)) throw new ArgumentException("values contain NaN", nameof(values));
        Array.Sort(sorted);
        int n = sorted.Length;
        double tail = (1 - level) / 2;
        var cdf = BinomialCdf(n, q);
        int r = 0, s = n + 1;   // 1-based ranks
        for (int k = 1; k <= n; k++) if (cdf[k - 1] <= tail) r = k;
        for (int k = n; k >= 1; k--) if (cdf[k - 1] >= 1 - tail) s = k;
        return (r >= 1 ? sorted[r - 1] : double.NegativeInfinity, s <= n ? sorted[s - 1] : double.PositiveInfinity);
    }

    /// <summary>F(j) = P(B &lt;= j) for j = 0..n, B ~ Binomial(n, p); the pmf by its ratio recurrence in log space.</summary>
    public static double[] BinomialCdf(int n, double p)
    {
        var cdf = new double[n + 1];
        double logPmf = n * double.LogP1(-p), logOdds = Math.Log(p) - double.LogP1(-p), total = 0;
        for (int j = 0; j <= n; j++)
        {
            total += Math.Exp(logPmf);
            cdf[j] = Math.Min(1, total);
            // pmf(j+1) = pmf(j) (n-j)/(j+1) p/(1-p)
            if (j < n) logPmf += Math.Log(n - j) - Math.Log(j + 1) + logOdds;
        }
        return cdf;
    }
}
