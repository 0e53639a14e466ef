namespace MemScore.Training.Privacy;

/// <summary>
/// Rényi-DP accountant of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar &amp; Zhang 2019,
/// "Rényi Differential Privacy of the Sampled Gaussian Mechanism"): each of T steps samples every example with
/// probability q and adds N(0, sigma^2 C^2) noise to the sum of gradients clipped to norm C. RDP of one step at
/// order alpha is log(A_alpha) / (alpha - 1) with
///   A_alpha = E_{z ~ N(0, sigma^2)} [ ((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha ],
/// the alpha-th moment of the density ratio of (1-q) N(0, sigma^2) + q N(1, sigma^2) against N(0, sigma^2).
/// T steps compose additively; (epsilon, delta) follows by the conversion of Balle et al. 2020 (Theorem 21),
/// minimised over a grid of orders.
/// </summary>
internal static class SampledGaussianAccountant
{
    /// <summary>Orders 1.1, 1.2, ..., 10.9 and 12, 13, ..., 63: the grid TensorFlow Privacy and Opacus use by default.</summary>
    public static readonly IReadOnlyList<double> DefaultOrders =
        [.. Enumerable.Range(1, 99).Select(x => 1 + x / 10.0), .. Enumerable.Range(12, 52).Select(a => (double)a)];

    /// <summary>RDP of one step at order <paramref name="alpha"/> &gt; 1; +inf without noise.</summary>
    public static double Rdp(double q, double sigma, double alpha)
    {
        Require(q, sigma);
        if (!(alpha > 1) || double.IsPositiveInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "must be a finite order > 1");
        if (q == 0) return 0;
        if (sigma == 0) return double.PositiveInfinity;
        if (q == 1) return alpha / (2 * sigma * sigma);   // the Gaussian mechanism itself: D_alpha(N(1, s^2) || N(0, s^2))
        double logA = alpha == Math.Floor(alpha) ? LogMomentIntegerOrder(q, sigma, (int)alpha) : LogMomentFractionalOrder(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /// <summary>Epsilon at <paramref name="delta"/> after <paramref name="steps"/> steps (Balle et al. 2020, Theorem 21):
    /// min over alpha of T RDP(alpha) + log((alpha - 1) / alpha) - (log delta + log alpha) / (alpha - 1).</summary>
    public static double Epsilon(double q, double sigma, long steps, double delta, IReadOnlyList<double>? orders = null) =>
        MinimumOverOrders(q, sigma, steps, delta, orders, (rdp, a) => rdp + Math.Log((a - 1) / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1));

    /// <summary>The same with Mironov's (2017, Proposition 3) original conversion T RDP(alpha) + log(1 / delta) / (alpha - 1),
    /// which early TensorFlow Privacy releases reported; looser, kept to check against their published numbers.</summary>
    public static double EpsilonByOriginalConversion(double q, double sigma, long steps, double delta, IReadOnlyList<double>? orders = null) =>
        MinimumOverOrders(q, sigma, steps, delta, orders, (rdp, a) => rdp - Math.Log(delta) / (a - 1));

    /// <summary>The smallest noise multiplier whose epsilon is at most <paramref name="targetEpsilon"/> (bisection on sigma,
    /// epsilon falls as sigma grows), to a relative precision of 1e-6 in sigma.</summary>
    public static double NoiseMultiplierFor(double targetEpsilon, double q, long steps, double delta)
    {
        if (!(targetEpsilon > 0) || !double.IsFinite(targetEpsilon)) throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, "must be finite and > 0");
        double low = 0.25, high = 0.5;
        if (Epsilon(q, low, steps, delta) <= targetEpsilon) low = 0;
        while (Epsilon(q, high, steps, delta) > targetEpsilon)
        {
            low = high;
            high *= 2;
            if (high > 1e6) throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, "unreachable with a noise multiplier below 1e6");
        }
        while (high - low > 1e-6 * high)
        {
            double middle = (low + high) / 2;
            if (Epsilon(q, middle, steps, delta) > targetEpsilon) low = middle; else high = middle;
        }
        return high;
    }

    static double MinimumOverOrders(double q, double sigma, long steps, double delta, IReadOnlyList<double>? orders, Func<double, double, double> convert)
    {
        Require(q, sigma);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "must be in (0, 1)");
        if (steps == 0 || q == 0) return 0;
        double best = double.PositiveInfinity;
        foreach (double alpha in orders ?? DefaultOrders)
        {
            double epsilon = convert(steps * Rdp(q, sigma, alpha), alpha);
            if (epsilon < best) best = epsilon;
        }
        return Math.Max(0, best);
    }

    static void Require(double q, double sigma)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "a sampling rate must be in [0, 1]");
        if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "must be finite and >= 0");
    }

    // Integer alpha: expand the power binomially; E[exp(k (2z - 1) / (2 s^2))] = exp((k^2 - k) / (2 s^2)), so
    // A_alpha = sum_k C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2))   (Mironov et al. 2019, Section 3.2).
    static double LogMomentIntegerOrder(double q, double sigma, int alpha)
    {
        var terms = new double[alpha + 1];
        double logBinomial = 0;
        for (int k = 0; k <= alpha; k++)
        {
            if (k > 0) logBinomial += Math.Log(alpha - k + 1) - Math.Log(k);
            terms[k] = logBinomial + (alpha - k) * Math.Log(1 - q) + k * Math.Log(q) + (k * (double)k - k) / (2 * sigma * sigma);
        }
        return Core.LogMath.LogSumExp(terms);
    }

    // Fractional alpha (Mironov et al. 2019, Section 3.3): split the integral at z0, where q exp((2z - 1) / (2 s^2)) = 1 - q,
    // z0 = sigma^2 log(1/q - 1) + 1/2. Below z0 expand in powers of q L / (1 - q), above it in powers of (1 - q) / (q L)
    // (L = exp((2z - 1) / (2 s^2))); both series converge there. Each term is a Gaussian integral over a half line:
    //   below: C(alpha, i) (1 - q)^(alpha - i) q^i exp((i^2 - i) / (2 s^2)) Phi((z0 - i) / s)
    //   above: C(alpha, i) q^(alpha - i) (1 - q)^i exp((j^2 - j) / (2 s^2)) Phi((j - z0) / s),   j = alpha - i,
    // with Phi(x) = erfc(-x / sqrt 2) / 2. Terms change sign once i > alpha, so positive and negative parts are summed apart.
    // The terms past i = alpha fall only polynomially (~ i^-(alpha+2)), so the series stops at a relative e^-34 (~2e-15) per
    // term, as TensorFlow Privacy and Opacus stop theirs (at an absolute e^-30); the tail then adds below 1e-10 to log A.
    const double SeriesCutoff = 34;

    static double LogMomentFractionalOrder(double q, double sigma, double alpha)
    {
        double z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        double logPositive = double.NegativeInfinity, logNegative = double.NegativeInfinity;
        double logBinomial = 0;
        int sign = 1;
        for (int i = 0; i < 100_000; i++)
        {
            if (i > 0)
            {
                double factor = (alpha - i + 1) / i;
                logBinomial += Math.Log(Math.Abs(factor));
                sign *= Math.Sign(factor);
            }
            double j = alpha - i;
            double below = logBinomial + (alpha - i) * Math.Log(1 - q) + i * Math.Log(q) + (i * (double)i - i) / (2 * sigma * sigma)
                           + LogNormalCdf((z0 - i) / sigma);
            double above = logBinomial + j * Math.Log(q) + i * Math.Log(1 - q) + (j * j - j) / (2 * sigma * sigma)
                           + LogNormalCdf((j - z0) / sigma);
            double term = LogAdd(below, above);
            if (sign > 0) logPositive = LogAdd(logPositive, term); else logNegative = LogAdd(logNegative, term);
            if (i > alpha && term < logPositive - SeriesCutoff) break;
        }
        return logPositive + Math.Log(1 - Math.Exp(logNegative - logPositive));
    }

    static double LogAdd(double a, double b)
    {
        double max = Math.Max(a, b);
        return double.IsNegativeInfinity(max) ? max : max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>log Phi(x) for the standard normal CDF, accurate in the far lower tail (where Phi underflows).</summary>
    internal static double LogNormalCdf(double x)
    {
        if (x > -5) return Math.Log(0.5 * Analysis.NormalDistribution.Erfc(-x / Math.Sqrt(2)));
        // Phi(x) = erfc(u) / 2 with u = -x / sqrt 2 >= 3.5: continued fraction erfc u = exp(-u^2) / sqrt(pi) / (u + (1/2) / (u + (2/2) / ...)).
        double u = -x / Math.Sqrt(2), tail = u;
        for (int k = 80; k >= 1; k--) tail = u + k / 2.0 / tail;
        return -u * u - 0.5 * Math.Log(Math.PI) - Math.Log(tail) - Math.Log(2);
    }
}
