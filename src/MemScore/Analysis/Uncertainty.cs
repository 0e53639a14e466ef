namespace MemScore.Analysis;

/// <summary>
/// The bias view of the report: quantiles of the paper's M recomputed from the first 1..L repeats (the
/// count-asymmetry bias changes with L). Per-example uncertainty lives in <see cref="PermutationInference"/>
/// (intervals that cover, exact by randomization) and <see cref="Reliability"/> (predicted seed-to-seed
/// agreement). The former standard error sd(per-repeat M) / sqrt(L) was the error of a mean of per-repeat
/// M, not of the pooled log-mean-exp, and ~45% too small at 3-5 nats of spread; the split-half
/// reliability repeated the estimator's bias in both halves. Both are gone.
/// </summary>
internal static class Uncertainty
{
    /// <summary>Quantiles of M recomputed from the first 1..L repeats (the bias view).</summary>
    public static double[][] QuantilesByRepeats(PerRepeatValues values, double[] quantiles) =>
        Enumerable.Range(1, values.Repeats).Select(k =>
        {
            var m = values.Memorization(Enumerable.Range(0, k).ToArray()).Where(double.IsFinite).ToArray();
            return quantiles.Select(q => Statistics.Quantile(m, q)).ToArray();
        }).ToArray();
}
