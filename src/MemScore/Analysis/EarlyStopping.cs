namespace MemScore.Analysis;

/// <summary>
/// Where the rule stops: <paramref name="StopEpoch"/> (1-based; null when it does not stop within the run)
/// and <paramref name="BestEpoch"/>, the epoch of the lowest held-out loss before the stop, whose model
/// the rule keeps (the whole run's lowest when it does not stop).
/// </summary>
internal sealed record EarlyStop(int Patience, int BestEpoch, int? StopEpoch, double BestLoss);

/// <summary>
/// The validation-loss rule of early stopping with patience P: after every epoch, compare the held-out loss
/// with the lowest so far; an epoch improves only when its loss is strictly lower. Training stops after the
/// first epoch that ends P epochs without improvement, and keeps the model of the best epoch
/// (as Keras' EarlyStopping with restore_best_weights and min_delta 0).
/// </summary>
internal static class EarlyStopping
{
    public const int DefaultPatience = 5;

    public static EarlyStop Decide(IReadOnlyList<double> heldOutLoss, int patience = DefaultPatience)
    {
        ArgumentNullException.ThrowIfNull(heldOutLoss);
        if (patience < 1) throw new ArgumentOutOfRangeException(nameof(patience), patience, "must be >= 1");
        if (heldOutLoss.Count == 0) throw new ArgumentException("need the loss of at least one epoch", nameof(heldOutLoss));
        if (heldOutLoss.Any(double.IsNaN)) throw new ArgumentException("held-out losses contain NaN", nameof(heldOutLoss));
        int best = 0;
        for (int e = 1; e < heldOutLoss.Count; e++)
        {
            if (heldOutLoss[e] < heldOutLoss[best]) best = e;
            else if (e - best >= patience) return new EarlyStop(patience, best + 1, e + 1, heldOutLoss[best]);
        }
        return new EarlyStop(patience, best + 1, null, heldOutLoss[best]);
    }

    /// <summary>The last of <paramref name="evaluationEpochs"/> (ascending) at or before <paramref name="epoch"/>; null when none is.</summary>
    public static int? EvaluationAtOrBefore(IReadOnlyList<int> evaluationEpochs, int epoch)
    {
        ArgumentNullException.ThrowIfNull(evaluationEpochs);
        int? found = null;
        for (int k = 0; k < evaluationEpochs.Count && evaluationEpochs[k] <= epoch; k++) found = k;
        return found;
    }
}
