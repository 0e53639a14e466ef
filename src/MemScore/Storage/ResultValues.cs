using static System.FormattableString;

namespace MemScore.Storage;

/// <summary>
/// Range checks of the numbers a task result or checkpoint holds beside its shapes: values no run
/// can produce, which would otherwise reach the scores (a log p(x) of 1.7e308 nats makes M infinite)
/// or the report. Rows outside 'evaluated' are left to <see cref="EvaluatedRows"/>.
/// </summary>
internal static class ResultValues
{
    /// <summary>
    /// Largest |log p(x)| in nats accepted: a real model's values are within about 1e5 (a 64x64x3 image
    /// at 8 bits is 12,288 x ln 256 ~ 68,000 nats), so anything beyond 1e12 is damage, and the
    /// log-mean-exp of values within it stays finite.
    /// </summary>
    public const double MaxAbsLogLikelihood = 1e12;

    /// <summary>Relative slack on the effective sample size's bounds 1 and S (it is computed in float64).</summary>
    public const double EssTolerance = 1e-6;

    /// <summary>The first out-of-range value as "FIELD holds VALUE at ...", or null when all are in range.</summary>
    /// <param name="logp">[evaluation][example]</param>
    /// <param name="ess">[evaluation][example], or null</param>
    /// <param name="evaluated">Rows that hold values; null = all.</param>
    public static string? Problem(double[][] logp, double[][]? ess, double[] trainLoss, int[]? evaluated, int n)
    {
        ArgumentNullException.ThrowIfNull(logp);
        ArgumentNullException.ThrowIfNull(trainLoss);
        for (int epoch = 0; epoch < trainLoss.Length; epoch++)
            if (!double.IsFinite(trainLoss[epoch]))
                return Invariant($"'train_loss' holds {trainLoss[epoch]} at epoch {epoch + 1}, expected a finite loss");
        var rows = evaluated ?? Enumerable.Range(0, n).ToArray();
        for (int e = 0; e < logp.Length; e++)
            foreach (int i in rows)
            {
                double v = logp[e][i];
                if (!double.IsFinite(v) || Math.Abs(v) > MaxAbsLogLikelihood)
                    return Invariant($"'logp' holds {v} at evaluation {e}, example {i}, expected a finite log p(x) within +-{MaxAbsLogLikelihood:G} nats");
                if (ess is null) continue;
                double s = ess[e][i];
                if (!double.IsFinite(s) || s < 1 - EssTolerance)
                    return Invariant($"'ess' holds {s} at evaluation {e}, example {i}, expected an effective sample size >= 1");
            }
        return null;
    }
}
