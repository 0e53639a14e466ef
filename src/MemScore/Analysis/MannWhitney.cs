namespace MemScore.Analysis;

/// <summary>
/// Mann-Whitney U of <c>first</c> against <c>second</c>: U = #(first &gt; second) + #(ties) / 2
/// over all pairs, its z-score under "both samples from one distribution" and the two-sided p.
/// </summary>
internal sealed record MannWhitneyResult(double U, double Z, double TwoSidedP, int FirstCount, int SecondCount)
{
    /// <summary>U / (n1 n2): the probability that a random first value exceeds a random second one (ties count half).</summary>
    public double ProbabilityFirstGreater => U / ((double)FirstCount * SecondCount);
}

internal static class MannWhitney
{
    /// <summary>
    /// Normal approximation with tie correction and no continuity correction:
    /// z = (U - n1 n2 / 2) / sqrt(n1 n2 / 12 ((N + 1) - sum_t (t^3 - t) / (N (N - 1)))), N = n1 + n2,
    /// t running over the sizes of groups of tied values. z = 0 when all values are equal.
    /// </summary>
    public static MannWhitneyResult Test(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        if (first.Count == 0 || second.Count == 0) throw new ArgumentException($"need values in both samples (got {first.Count} and {second.Count})");
        var all = first.Concat(second).ToArray();
        if (all.Any(double.IsNaN)) throw new ArgumentException("values contain NaN");
        double n1 = first.Count, n2 = second.Count, total = all.Length;
        var ranks = Statistics.Ranks(all);
        double u = ranks.Take(first.Count).Sum() - n1 * (n1 + 1) / 2;
        double variance = n1 * n2 / 12 * (total + 1 - TieTerm(all) / (total * (total - 1)));
        double z = variance > 0 ? (u - n1 * n2 / 2) / Math.Sqrt(variance) : 0;
        return new MannWhitneyResult(u, z, NormalDistribution.TwoSided(z), first.Count, second.Count);
    }

    static double TieTerm(double[] values) =>
        values.GroupBy(v => v).Select(g => (double)g.Count()).Sum(t => t * t * t - t);
}
