namespace MemScore.Memorization;

/// <summary>
/// What one task produces: log p(x_j) for every evaluated example j at every evaluation epoch,
/// under the model trained without the task's fold.
/// </summary>
/// <param name="LogLikelihoods">[evaluation][example] in nats; NaN at rows not in <paramref name="Evaluated"/>.</param>
/// <param name="HeldOut">Sorted indices of the held-out fold ("out" values); all others are "in".</param>
/// <param name="TrainLoss">Mean training loss per example, one per epoch.</param>
/// <param name="EffectiveSampleSizes">[evaluation][example] importance-sampling ESS; null for exact-likelihood models.</param>
/// <param name="Evaluated">Sorted rows that hold values (--in-models); null = every row.</param>
internal sealed record TaskResult(
    TaskId Task,
    string ConfigHash,
    int[] EvaluationEpochs,
    double[][] LogLikelihoods,
    int[] HeldOut,
    double[] TrainLoss,
    double Seconds,
    double[][]? EffectiveSampleSizes = null,
    int[]? Evaluated = null)
{
    /// <summary>The rows that hold values, of <paramref name="count"/> examples.</summary>
    public IEnumerable<int> EvaluatedRows(int count) => Evaluated ?? Enumerable.Range(0, count);
}
