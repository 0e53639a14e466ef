namespace MemScore.Analysis;

/// <summary>One ROC curve: false/true positive rates at every threshold, its AUC, TPR at chosen FPRs.</summary>
internal sealed record RocCurve(double[] FalsePositiveRate, double[] TruePositiveRate, double Auc, int Positives, int Negatives)
{
    /// <summary>Highest TPR among thresholds whose FPR does not exceed <paramref name="fpr"/>.</summary>
    public double TprAtFpr(double fpr)
    {
        double best = 0;
        for (int i = 0; i < FalsePositiveRate.Length; i++)
            if (FalsePositiveRate[i] <= fpr) best = Math.Max(best, TruePositiveRate[i]);
        return best;
    }
}

/// <summary>
/// The membership-inference view: a model's log p(x_i) as the score of "x_i was in its training
/// set". Positives are the "in" values, negatives the "out" values.
/// </summary>
internal static class MembershipInference
{
    /// <summary>
    /// ROC of the examples with the highest M, with selection and scoring on disjoint repeats: the top
    /// <paramref name="share"/> by the paper's M computed from the first floor(L/2) repeats, scored on the
    /// in/out values of the remaining repeats. Selecting and scoring on the same values (the old report
    /// row) picks examples whose in-values happen to be high, so its AUC is high by construction: 0.61-0.66
    /// with no memorization at all. Repeats are independent, so here the selection cannot favour the
    /// scored values: with no memorization the AUC is 0.5 in expectation. Null for L &lt; 2.
    /// </summary>
    public static (RocCurve Roc, int Selected, int SelectionRepeats)? TopBySplitRepeats(ModelValues values, double share)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(share > 0 && share <= 1)) throw new ArgumentOutOfRangeException(nameof(share), share, "must be in (0, 1]");
        if (values.Repeats < 2) return null;
        int half = values.Repeats / 2;
        var selection = values.Subset(Enumerable.Range(0, half).ToArray());
        var scoring = values.Subset(Enumerable.Range(half, values.Repeats - half).ToArray());
        var m = Estimators.Compute(selection, EstimatorKind.Paper, 0).M;
        int count = Math.Max(1, (int)(values.Count * share));
        var top = Enumerable.Range(0, values.Count).Where(i => double.IsFinite(m[i])).OrderByDescending(i => m[i]).ThenBy(i => i).Take(count).ToArray();
        var (ins, outs) = scoring.ToPerRepeatValues().Pooled(top);
        if (ins.Count == 0 || outs.Count == 0) return null;
        return (Roc(ins, outs), top.Length, half);
    }

    public static RocCurve Roc(IReadOnlyList<double> positives, IReadOnlyList<double> negatives)
    {
        if (positives.Count == 0 || negatives.Count == 0) throw new ArgumentException("need positives and negatives");
        var all = positives.Select(v => (Score: v, Positive: true)).Concat(negatives.Select(v => (Score: v, Positive: false)))
            .OrderByDescending(p => p.Score).ToArray();
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        int tp = 0, fp = 0;
        for (int i = 0; i < all.Length;)
        {
            int j = i;
            while (j < all.Length && all[j].Score == all[i].Score)
            {
                if (all[j].Positive) tp++; else fp++;
                j++;
            }
            fpr.Add((double)fp / negatives.Count);
            tpr.Add((double)tp / positives.Count);
            i = j;
        }
        double auc = 0;
        for (int i = 1; i < fpr.Count; i++) auc += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
        return new RocCurve(fpr.ToArray(), tpr.ToArray(), auc, positives.Count, negatives.Count);
    }
}
