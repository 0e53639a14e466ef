namespace MemScore.Analysis;

/// <summary>One ROC curve: false/true positive rates at every threshold, its AUC, TPR at chosen FPRs.</summary>
public sealed record RocCurve(double[] FalsePositiveRate, double[] TruePositiveRate, double Auc, int Positives, int Negatives)
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
public static class MembershipInference
{
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
