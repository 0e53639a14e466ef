namespace MemScore.Analysis;

/// <summary>Pure statistics over arrays; NaN inputs are rejected, not skipped.</summary>
internal static class Statistics
{
    /// <summary>Quantile with linear interpolation between order statistics (numpy's default): h = (n - 1) q.</summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "must be in [0, 1]");
        var sorted = Sorted(values);
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    static double[] Sorted(IReadOnlyList<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Any(double.IsNaN)) throw new ArgumentException("values contain NaN", nameof(values));
        Array.Sort(sorted);
        return sorted;
    }

    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Sum() / values.Count;

    /// <summary>Sample standard deviation (n - 1 denominator); NaN for fewer than 2 values.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        double mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>Ranks 1..n with ties sharing their average rank.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }

    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("lengths differ");
        double ma = Mean(a), mb = Mean(b), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>Spearman's rank correlation: Pearson correlation of the (tie-averaged) ranks.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(Ranks(a), Ranks(b));

    /// <summary>
    /// Spearman-Brown: reliability of a measure made k times longer, from the reliability r of one
    /// unit. Solved for k: how many units reach <paramref name="target"/>.
    /// </summary>
    public static double SpearmanBrown(double r, double k) => k * r / (1 + (k - 1) * r);

    /// <summary>
    /// One-sample Kolmogorov-Smirnov test of values against Uniform(0, 1): D = sup |F_n - F| and its
    /// asymptotic p-value Q(lambda), lambda = (sqrt n + 0.12 + 0.11 / sqrt n) D (Stephens 1970), Q(x) =
    /// 2 sum_{j&gt;=1} (-1)^{j-1} e^{-2 j^2 x^2}. Used to check that null p-values are uniform.
    /// </summary>
    public static (double D, double PValue) KolmogorovSmirnovUniform(IReadOnlyList<double> values)
    {
        var sorted = Sorted(values);
        int n = sorted.Length;
        if (n == 0) throw new ArgumentException("no values", nameof(values));
        double d = 0;
        for (int i = 0; i < n; i++) d = Math.Max(d, Math.Max((i + 1.0) / n - sorted[i], sorted[i] - (double)i / n));
        double lambda = (Math.Sqrt(n) + 0.12 + 0.11 / Math.Sqrt(n)) * d;
        if (lambda < 0.3) return (d, 1);   // Q(0.3) > 0.99999; the series below converges slowly there
        double q = 0;
        for (int j = 1; j <= 100; j++) q += 2 * (j % 2 == 1 ? 1 : -1) * Math.Exp(-2.0 * j * j * lambda * lambda);
        return (d, Math.Clamp(q, 0, 1));
    }

    public static double LengthFactorFor(double r, double target) =>
        r <= 0 ? double.PositiveInfinity : target * (1 - r) / (r * (1 - target));
}

/// <summary>Counts in equal-width bins between the min and max (the last bin includes the max).</summary>
internal sealed record Histogram(double[] Edges, int[] Counts)
{
    public static Histogram Of(IReadOnlyList<double> values, int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "must be >= 1");
        if (values.Count == 0 || values.Any(v => !double.IsFinite(v))) throw new ArgumentException("need finite values", nameof(values));
        double lo = values.Min(), hi = values.Max();
        if (hi == lo) { lo -= 0.5; hi += 0.5; }
        var edges = Enumerable.Range(0, bins + 1).Select(i => lo + (hi - lo) * i / bins).ToArray();
        var counts = new int[bins];
        foreach (double v in values) counts[Math.Min(bins - 1, (int)((v - lo) / (hi - lo) * bins))]++;
        return new Histogram(edges, counts);
    }
}
