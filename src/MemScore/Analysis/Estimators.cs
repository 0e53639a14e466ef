using MemScore.Core;

namespace MemScore.Analysis;

/// <summary>How U is pooled from the in-model values (an aggregation choice: training and task files do not depend on it).</summary>
internal enum EstimatorKind
{
    /// <summary>The paper's Algorithm 1: U = logmeanexp of all L(K-1) in-values, V = logmeanexp of the L out-values.</summary>
    Paper,
    /// <summary>Equal counts: U = mean over K-1 groupings of logmeanexp of L in-values (one per repeat), V as in the paper.</summary>
    Balanced,
}

/// <summary>
/// The two estimators of M_i = log P_A(x_i | D) - log P_A(x_i | D \ x_i) (METHOD.md sections 1-2).
///
/// Paper: M = LME(L(K-1) in-values) - LME(L out-values), LME = logmeanexp. E[LME of m values] rises
/// with m (log-mean-exp is concave in the empirical measure: E[LME_m] = log E p - (variance term)/m
/// + ... for light tails, and far below log E p for heavy ones), so with U over L(K-1) values and V over
/// L the estimator is biased upward under "no memorization": E[M | H0] = E[LME_{L(K-1)}] - E[LME_L] &gt; 0,
/// growing with the example's model-to-model spread (~1 nat at 3 nats of spread, METHOD.md section 7).
///
/// Balanced: each repeat's K-1 in-models are dealt out to K-1 groupings (a seeded cyclic offset per
/// repeat, the same for every example), so each grouping holds exactly one in-value per repeat, L in all,
/// and every in-value is used once: U_bal = (1/(K-1)) sum_g LME(grouping g), V = LME(L out-values).
/// Under H0 (in and out values of a repeat exchangeable) each grouping has the distribution of the out
/// values, so E[M_bal | H0] = 0 exactly, for any spread or tail. When in-values are out-values shifted
/// by delta (the harness's planted effect), LME is shift-equivariant and E[M_bal] = delta exactly, for
/// any L. In general it estimates E[LME_L(in)] - E[LME_L(out)], which tends to the paper's population
/// M as L grows.
/// </summary>
internal static class Estimators
{
    public static string Name(EstimatorKind kind) => kind switch
    {
        EstimatorKind.Paper => "paper",
        EstimatorKind.Balanced => "balanced",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses "paper" or "balanced" (the --estimator flag); anything else is an error naming the value.</summary>
    public static EstimatorKind Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "paper" => EstimatorKind.Paper,
        "balanced" => EstimatorKind.Balanced,
        _ => throw new InvalidConfigurationException($"estimator = {text}: expected paper or balanced"),
    };

    /// <summary>
    /// The per-repeat cyclic offsets of the balanced groupings: grouping g takes, in repeat r, the
    /// ((g + offset_r) mod (K-1))-th of the example's in-folds (in fold order). Seeded, shared by all examples.
    /// </summary>
    public static int[] BalancedOffsets(int repeats, int folds, long seed)
    {
        var rng = new SplitMix64(new SeedSchedule(seed).BalancedGroupings);
        return Enumerable.Range(0, repeats).Select(_ => rng.NextInt(folds - 1)).ToArray();
    }

    /// <summary>U, V, M of every example with the chosen estimator; NaN where an example lacks values.</summary>
    public static (double[] U, double[] V, double[] M) Compute(ModelValues values, EstimatorKind kind, long seed)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count, l = values.Repeats, k = values.Folds;
        var u = new double[n];
        var v = new double[n];
        var offsets = BalancedOffsets(l, k, seed);
        Parallel.For(0, n, () => new double[Math.Max(l * (k - 1), l)], (i, _, buffer) =>
        {
            var block = values.Block(i);
            var outs = values.OutFolds(i);
            for (int r = 0; r < l; r++) buffer[r] = block[r * k + outs[r]];
            v[i] = LogMath.LogMeanExp(buffer.AsSpan(0, l));
            u[i] = kind == EstimatorKind.Paper ? PaperU(block, outs, l, k, buffer) : BalancedU(block, outs, l, k, offsets, buffer);
            return buffer;
        }, _ => { });
        return (u, v, u.Zip(v, (a, b) => a - b).ToArray());
    }

    static double PaperU(ReadOnlySpan<double> block, ReadOnlySpan<int> outs, int l, int k, double[] buffer)
    {
        int m = 0;
        for (int r = 0; r < l; r++)
            for (int f = 0; f < k; f++)
                if (f != outs[r]) buffer[m++] = block[r * k + f];
        return LogMath.LogMeanExp(buffer.AsSpan(0, m));
    }

    static double BalancedU(ReadOnlySpan<double> block, ReadOnlySpan<int> outs, int l, int k, int[] offsets, double[] buffer)
    {
        double sum = 0;
        for (int g = 0; g < k - 1; g++)
        {
            for (int r = 0; r < l; r++)
            {
                int t = (g + offsets[r]) % (k - 1);           // t-th in-fold of this repeat
                int fold = t < outs[r] ? t : t + 1;            // skip the out fold
                buffer[r] = block[r * k + fold];
            }
            sum += LogMath.LogMeanExp(buffer.AsSpan(0, l));
        }
        return sum / (k - 1);
    }
}
