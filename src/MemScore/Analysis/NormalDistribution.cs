namespace MemScore.Analysis;

/// <summary>Standard normal tail probabilities, for the z-scores of the rank tests.</summary>
internal static class NormalDistribution
{
    /// <summary>P(Z &gt; z) for Z ~ N(0, 1).</summary>
    public static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>z with P(Z &gt; z) = <paramref name="p"/> (bisection on <see cref="UpperTail"/>, to ~1e-12); NaN outside (0, 1).</summary>
    public static double UpperQuantile(double p)
    {
        if (!(p > 0 && p < 1)) return double.NaN;
        double lo = -40, hi = 40;
        for (int i = 0; i < 100; i++)
        {
            double mid = (lo + hi) / 2;
            if (UpperTail(mid) > p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>P(|Z| &gt;= |z|) for Z ~ N(0, 1).</summary>
    public static double TwoSided(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>
    /// Complementary error function, relative error ~1e-13: 1 - (Maclaurin series of erf) below 2,
    /// the continued fraction erfc x = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + (2/2) / (x + (3/2) / ...)))
    /// from 2 on, where the series would lose digits to cancellation.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2 - Erfc(-x);
        return x < 2 ? 1 - ErfSeries(x) : ErfcContinuedFraction(x);
    }

    // erf x = 2 / sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n + 1))
    static double ErfSeries(double x)
    {
        double power = x, sum = x, square = x * x;
        for (int n = 1; n < 200; n++)
        {
            power *= -square / n;
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.Abs(term) < 1e-17 * Math.Abs(sum)) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    static double ErfcContinuedFraction(double x)
    {
        if (x > 27) return 0;   // exp(-x^2) underflows
        double tail = x;
        for (int k = 200; k >= 1; k--) tail = x + k / 2.0 / tail;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / tail;
    }
}
