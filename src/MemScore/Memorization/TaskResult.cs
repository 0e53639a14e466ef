namespace MemScore.Memorization;

/// <summary>
/// What one task produces: log p(x_j) for every example j at every evaluation epoch, under the
/// model trained without the task's fold.
/// </summary>
/// <param name="LogLikelihoods">[evaluation][example] in nats.</param>
/// <param name="HeldOut">Sorted indices of the held-out fold ("out" values); all others are "in".</param>
/// <param name="TrainLoss">Mean training loss per example, one per epoch.</param>
/// <param name="EffectiveSampleSizes">[evaluation][example] importance-sampling ESS; null for exact-likelihood models.</param>
public sealed record TaskResult(
    TaskId Task,
    string ConfigHash,
    int[] EvaluationEpochs,
    double[][] LogLikelihoods,
    int[] HeldOut,
    double[] TrainLoss,
    double Seconds,
    double[][]? EffectiveSampleSizes = null);
