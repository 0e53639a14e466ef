namespace MemScore.Analysis;

/// <summary>How trustworthy the per-example scores are, from the spread over repeats.</summary>
/// <param name="StandardError">Per example: sd over repeats of the one-repeat M, / sqrt(L); NaN for L = 1.</param>
/// <param name="SplitHalfSpearman">Spearman of M from the first vs the second half of the repeats; NaN for L &lt; 2.</param>
/// <param name="PredictedReliability">Spearman-Brown reliability of M from all L repeats.</param>
/// <param name="RepeatsForReliability08">Repeats predicted to reach reliability 0.8.</param>
/// <param name="JackknifeM">Bias-corrected M (jackknife over repeats); NaN for L = 1.</param>
public sealed record UncertaintySummary(double[] StandardError, double SplitHalfSpearman, double PredictedReliability,
    double RepeatsForReliability08, double[] JackknifeM)
{
    public bool RankingMostlyNoise => !(PredictedReliability >= 0.5);
}

public static class Uncertainty
{
    public static UncertaintySummary Summarize(PerRepeatValues values)
    {
        int l = values.Repeats;
        var perRepeat = Enumerable.Range(0, l).Select(r => values.Memorization([r])).ToArray();
        var se = new double[values.Count];
        for (int i = 0; i < values.Count; i++)
            se[i] = l < 2 ? double.NaN : Statistics.StandardDeviation(perRepeat.Select(m => m[i]).ToArray()) / Math.Sqrt(l);

        double splitHalf = double.NaN, predicted = double.NaN, needed = double.NaN;
        if (l >= 2)
        {
            var first = Enumerable.Range(0, l / 2).ToArray();
            var second = Enumerable.Range(l / 2, l - l / 2).ToArray();
            var (a, b) = Finite(values.Memorization(first), values.Memorization(second));
            splitHalf = Statistics.Spearman(a, b);
            // Each half has ~L/2 repeats, so the full set is a measure twice as long.
            predicted = Statistics.SpearmanBrown(splitHalf, 2);
            needed = Math.Ceiling(l / 2.0 * Statistics.LengthFactorFor(splitHalf, 0.8));
        }
        return new UncertaintySummary(se, splitHalf, predicted, needed, Jackknife(values));
    }

    /// <summary>
    /// Jackknife over repeats: M_jack = L M - (L - 1) mean_l M_(-l). Log-mean-exp over m values is
    /// biased low by about half the terms' variance / m, and U and V average different numbers of
    /// values, so plain M is biased; the jackknife removes the O(1/L) part.
    /// </summary>
    public static double[] Jackknife(PerRepeatValues values)
    {
        int l = values.Repeats;
        var full = values.Memorization();
        if (l < 2) return full.Select(_ => double.NaN).ToArray();
        var leaveOneOut = Enumerable.Range(0, l).Select(r => values.Memorization(Enumerable.Range(0, l).Where(k => k != r).ToArray())).ToArray();
        return full.Select((m, i) => l * m - (l - 1) * leaveOneOut.Average(loo => loo[i])).ToArray();
    }

    /// <summary>Quantiles of M recomputed from the first 1..L repeats (the bias view).</summary>
    public static double[][] QuantilesByRepeats(PerRepeatValues values, double[] quantiles) =>
        Enumerable.Range(1, values.Repeats).Select(k =>
        {
            var m = values.Memorization(Enumerable.Range(0, k).ToArray()).Where(double.IsFinite).ToArray();
            return quantiles.Select(q => Statistics.Quantile(m, q)).ToArray();
        }).ToArray();

    static (double[], double[]) Finite(double[] a, double[] b)
    {
        var keep = Enumerable.Range(0, a.Length).Where(i => double.IsFinite(a[i]) && double.IsFinite(b[i])).ToArray();
        return (keep.Select(i => a[i]).ToArray(), keep.Select(i => b[i]).ToArray());
    }
}
