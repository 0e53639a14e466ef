namespace MemScore.Analysis;

/// <summary>rho of one group of examples: its size, quantiles at the summary's levels, counts on the shared histogram edges.</summary>
public sealed record RhoGroup(int Count, double[] Quantiles, int[] HistogramCounts);

/// <summary>Examples in one equal-count bin of M: the bin's M range, its mean rho and a 95% interval for that mean.</summary>
public sealed record RhoBin(double MemorizationLow, double MemorizationHigh, int Count, double MeanRho, double Lower95, double Upper95);

/// <summary>
/// The nearest-neighbour test against M (METHOD.md section 5): regular vs highly memorized
/// examples, mean rho per bin of M, their rank correlation, and a rank test of regular vs high.
/// </summary>
/// <param name="HighThreshold">The 0.95 quantile of M: "highly memorized" means M above it (METHOD.md section 6, defect 2).</param>
/// <param name="RegularVsHigh">Mann-Whitney of regular (first) against high (second) rho.</param>
/// <param name="Excluded">Examples left out because rho or M is not finite (a sample equal to x_i gives rho = +Infinity).</param>
public sealed record RhoByMemorization(
    double HighQuantile, double HighThreshold, double[] QuantileLevels, double[] HistogramEdges,
    RhoGroup Regular, RhoGroup High, RhoBin[] Bins, double Spearman, MannWhitneyResult RegularVsHigh, int Excluded);

public static class RhoAnalysis
{
    static readonly double[] Levels = [0.05, 0.25, 0.5, 0.75, 0.95];
    const double Normal975 = 1.959963984540054;

    /// <summary>
    /// Bins hold equally many examples (sorted by M, ties by index; the first n mod bins get one more).
    /// Intervals are the normal approximation mean +- 1.96 sd / sqrt(count) (NaN for fewer than 2).
    /// Histogram edges are equal-width between the smallest and largest finite rho of both groups.
    /// </summary>
    public static RhoByMemorization Summarize(IReadOnlyList<double> rho, IReadOnlyList<double> memorization,
        int bins = 10, int histogramBins = 30, double highQuantile = 0.95)
    {
        if (rho.Count != memorization.Count) throw new ArgumentException($"{rho.Count} rho values but {memorization.Count} memorization scores");
        var keep = Enumerable.Range(0, rho.Count).Where(i => double.IsFinite(rho[i]) && double.IsFinite(memorization[i])).ToArray();
        if (keep.Length < bins) throw new ArgumentException($"{keep.Length} examples with finite rho and M, fewer than {bins} bins");
        var r = keep.Select(i => rho[i]).ToArray();
        var m = keep.Select(i => memorization[i]).ToArray();
        double threshold = Statistics.Quantile(m, highQuantile);
        var high = Enumerable.Range(0, r.Length).Where(i => m[i] > threshold).Select(i => r[i]).ToArray();
        var regular = Enumerable.Range(0, r.Length).Where(i => !(m[i] > threshold)).Select(i => r[i]).ToArray();
        if (high.Length == 0) throw new ArgumentException($"no example has M above its {highQuantile} quantile {threshold} (too many equal values)");

        var edges = Histogram.Of(r, histogramBins).Edges;
        return new RhoByMemorization(highQuantile, threshold, Levels, edges, Group(regular, edges), Group(high, edges),
            EqualCountBins(r, m, bins), Statistics.Spearman(r, m), MannWhitney.Test(regular, high), rho.Count - keep.Length);
    }

    static RhoGroup Group(double[] values, double[] edges) =>
        new(values.Length, Levels.Select(q => Statistics.Quantile(values, q)).ToArray(), CountsOn(values, edges));

    /// <summary>Same rule as <see cref="Histogram.Of"/>: [edge_k, edge_k+1), the last bin closed.</summary>
    static int[] CountsOn(double[] values, double[] edges)
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
        double mean = Statistics.Mean(rho);
        double halfWidth = Normal975 * Statistics.StandardDeviation(rho) / Math.Sqrt(rho.Length);
        return new RhoBin(lowM, highM, rho.Length, mean, mean - halfWidth, mean + halfWidth);
    }
}
