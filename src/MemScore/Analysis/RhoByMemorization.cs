namespace MemScore.Analysis;

/// <summary>
/// rho of one group of examples: its size, quantiles at the summary's levels (+Infinity where they fall
/// among the infinite values), counts of the finite rho on the shared histogram edges, and how many
/// have rho = +Infinity (not in the histogram).
/// </summary>
internal sealed record RhoGroup(int Count, double[] Quantiles, int[] HistogramCounts, int Infinite = 0);

/// <summary>
/// Examples in one equal-count bin of M: the bin's M range, the mean rho of its finite values with a 95%
/// interval for that mean, and how many of its examples have rho = +Infinity (outside the mean).
/// </summary>
internal sealed record RhoBin(double MemorizationLow, double MemorizationHigh, int Count, double MeanRho, double Lower95, double Upper95, int Infinite = 0);

/// <summary>
/// The nearest-neighbour test against M (METHOD.md section 5): regular vs highly memorized
/// examples, mean rho per bin of M, their rank correlation, and a rank test of regular vs high.
/// </summary>
/// <param name="HighThreshold">The 0.95 quantile of M: "highly memorized" means M above it (METHOD.md section 6, defect 2).</param>
/// <param name="Spearman">Spearman(rho, M), rho = +Infinity ranked above every finite rho (tied among themselves).</param>
/// <param name="RegularVsHigh">Mann-Whitney of regular (first) against high (second) rho, ranked the same way.</param>
/// <param name="Excluded">Examples left out because M is not finite or rho is NaN (x_i at distance 0 from both a test image and a sample).</param>
/// <param name="Infinite">
/// Examples with rho = +Infinity: a model sample equal to x_i (distance 0) while no test image is, the
/// strongest evidence of copying. They are kept: the highest rank in Spearman and Mann-Whitney, counted
/// per group and bin.
/// </param>
internal sealed record RhoByMemorization(
    double HighQuantile, double HighThreshold, double[] QuantileLevels, double[] HistogramEdges,
    RhoGroup Regular, RhoGroup High, RhoBin[] Bins, double Spearman, MannWhitneyResult RegularVsHigh, int Excluded, int Infinite = 0);

internal static class RhoAnalysis
{
    static readonly double[] Levels = [0.05, 0.25, 0.5, 0.75, 0.95];
    const double Normal975 = 1.959963984540054;

    /// <summary>
    /// Bins hold equally many examples (sorted by M, ties by index; the first n mod bins get one more).
    /// Intervals are the normal approximation mean +- 1.96 sd / sqrt(count) over the bin's finite rho
    /// (NaN for fewer than 2). Histogram edges are equal-width between the smallest and largest finite
    /// rho of both groups. rho = +Infinity is kept (see <see cref="RhoByMemorization.Infinite"/>).
    /// </summary>
    public static RhoByMemorization Summarize(IReadOnlyList<double> rho, IReadOnlyList<double> memorization,
        int bins = 10, int histogramBins = 30, double highQuantile = 0.95)
    {
        if (rho.Count != memorization.Count) throw new ArgumentException($"{rho.Count} rho values but {memorization.Count} memorization scores");
        if (rho.Any(v => v < 0)) throw new ArgumentException("rho is a ratio of distances and cannot be negative", nameof(rho));
        var keep = Enumerable.Range(0, rho.Count).Where(i => !double.IsNaN(rho[i]) && double.IsFinite(memorization[i])).ToArray();
        if (keep.Length < bins) throw new ArgumentException($"{keep.Length} examples with a defined rho and finite M, fewer than {bins} bins");
        var r = keep.Select(i => rho[i]).ToArray();
        var m = keep.Select(i => memorization[i]).ToArray();
        double threshold = Statistics.Quantile(m, highQuantile);
        var high = Enumerable.Range(0, r.Length).Where(i => m[i] > threshold).Select(i => r[i]).ToArray();
        var regular = Enumerable.Range(0, r.Length).Where(i => !(m[i] > threshold)).Select(i => r[i]).ToArray();
        if (high.Length == 0) throw new ArgumentException($"no example has M above its {highQuantile} quantile {threshold} (too many equal values)");

        var finite = r.Where(double.IsFinite).ToArray();
        // With no finite rho at all the histogram is empty on a nominal [0, 1].
        var edges = finite.Length > 0 ? Histogram.Of(finite, histogramBins).Edges
            : Enumerable.Range(0, histogramBins + 1).Select(k => (double)k / histogramBins).ToArray();
        return new RhoByMemorization(highQuantile, threshold, Levels, edges, Group(regular, edges), Group(high, edges),
            EqualCountBins(r, m, bins), Statistics.Spearman(r, m), MannWhitney.Test(regular, high), rho.Count - keep.Length,
            r.Count(double.IsPositiveInfinity));
    }

    static RhoGroup Group(double[] values, double[] edges) =>
        new(values.Length, Levels.Select(q => Quantile(values, q)).ToArray(), CountsOn(values.Where(double.IsFinite), edges),
            values.Count(double.IsPositiveInfinity));

    /// <summary>
    /// <see cref="Statistics.Quantile"/> that allows +Infinity: an order statistic is returned as it is, and a
    /// quantile between a finite and an infinite order statistic is +Infinity (linear interpolation would
    /// give 0 x Infinity = NaN at an exact order statistic).
    /// </summary>
    public static double Quantile(IReadOnlyList<double> values, double q)
    {
        if (!values.Any(double.IsPositiveInfinity)) return Statistics.Quantile(values, q);
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "must be in [0, 1]");
        var sorted = values.ToArray();
        if (sorted.Any(double.IsNaN)) throw new ArgumentException("values contain NaN", nameof(values));
        Array.Sort(sorted);
        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        if (h == lo || sorted[lo] == sorted[hi]) return sorted[lo];
        return double.IsPositiveInfinity(sorted[hi]) ? double.PositiveInfinity : sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Same rule as <see cref="Histogram.Of"/>: [edge_k, edge_k+1), the last bin closed.</summary>
    static int[] CountsOn(IEnumerable<double> values, double[] edges)
    {
        int bins = edges.Length - 1;
        double lo = edges[0], hi = edges[^1];
        var counts = new int[bins];
        foreach (double v in values) counts[Math.Clamp((int)((v - lo) / (hi - lo) * bins), 0, bins - 1)]++;
        return counts;
    }

    public static RhoBin[] EqualCountBins(IReadOnlyList<double> rho, IReadOnlyList<double> memorization, int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "must be >= 1");
        if (rho.Count != memorization.Count || rho.Count < bins) throw new ArgumentException($"need equally many rho and M values, at least {bins}");
        var order = Enumerable.Range(0, rho.Count).OrderBy(i => memorization[i]).ThenBy(i => i).ToArray();
        var result = new RhoBin[bins];
        int start = 0;
        for (int b = 0; b < bins; b++)
        {
            int size = rho.Count / bins + (b < rho.Count % bins ? 1 : 0);
            var members = order.Skip(start).Take(size).ToArray();
            result[b] = Bin(members.Select(i => rho[i]).ToArray(), memorization[members[0]], memorization[members[^1]]);
            start += size;
        }
        return result;
    }

    static RhoBin Bin(double[] rho, double lowM, double highM)
    {
        var finite = rho.Where(double.IsFinite).ToArray();
        double mean = Statistics.Mean(finite);
        double halfWidth = Normal975 * Statistics.StandardDeviation(finite) / Math.Sqrt(finite.Length);
        return new RhoBin(lowM, highM, rho.Length, mean, mean - halfWidth, mean + halfWidth, rho.Count(double.IsPositiveInfinity));
    }
}
