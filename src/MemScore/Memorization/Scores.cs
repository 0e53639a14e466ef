namespace MemScore.Memorization;

/// <summary>
/// Memorization scores per example (row) and evaluation epoch (column): U = log P_A(x_i | D),
/// V = log P_A(x_i | D \ x_i), M = U - V, all in nats. An example with no "in" or no "out"
/// values has NaN there (never produced by a complete plan).
/// </summary>
internal sealed class Scores(int[] evaluationEpochs, double[,] u, double[,] v, int[] nIn, int[] nOut, int[] labels, int[] sourceIndices)
{
    public int[] EvaluationEpochs { get; } = evaluationEpochs;
    public double[,] U { get; } = u;
    public double[,] V { get; } = v;
    public int[] CountIn { get; } = nIn;
    public int[] CountOut { get; } = nOut;
    public int[] Labels { get; } = labels;
    /// <summary>Index of each example in its source data file.</summary>
    public int[] SourceIndices { get; } = sourceIndices;
    /// <summary>How U was pooled: "paper" (Algorithm 1) or "balanced" (equal in/out counts); an aggregation choice.</summary>
    public string Estimator { get; init; } = "paper";
    /// <summary>Intervals, p- and q-values and the reliability of the ranking at the last evaluation epoch; null when no repeat is complete.</summary>
    public ScoreInference? Inference { get; init; }

    public int Count => Labels.Length;
    public int LastEpochColumn => EvaluationEpochs.Length - 1;

    public double M(int example, int column) => U[example, column] - V[example, column];

    /// <summary>Row numbers of the <paramref name="k"/> highest M at the last evaluation, highest first (ties by row).</summary>
    public int[] TopMemorized(int k)
    {
        int column = LastEpochColumn;
        return Enumerable.Range(0, Count)
            .Where(i => !double.IsNaN(M(i, column)))
            .OrderByDescending(i => M(i, column)).ThenBy(i => i)
            .Take(k).ToArray();
    }
}

/// <summary>
/// What can be said about each example's M at the last evaluation epoch (issue 12; computed by
/// Analysis.ExampleStatistics from the per-model values of the complete repeats).
/// </summary>
/// <param name="Lower">M_lo: lower end of the interval for the population M_i (shift model: exact by randomization at <paramref name="IntervalLevel"/>); -inf when the design is too small.</param>
/// <param name="Upper">M_hi.</param>
/// <param name="P">One-sided permutation p-value of "in- and out-model values exchangeable" (no memorization).</param>
/// <param name="Q">Benjamini-Hochberg q-value of <paramref name="P"/> over all examples.</param>
/// <param name="NullBias">What the paper's M of this example would be with no memorization (count-asymmetry bias; permutation estimate).</param>
/// <param name="Shift">The permutation point estimate of M (centre of the interval; free of the count-asymmetry bias).</param>
/// <param name="IntervalLevel">Achieved coverage of [M_lo, M_hi] (0.95, or what the design's relabellings allow; NaN: no interval).</param>
/// <param name="MinAttainableP">Smallest p-value the design can give any example.</param>
/// <param name="ExactPermutations">All K^L relabellings enumerated (else seeded Monte Carlo).</param>
/// <param name="Permutations">Relabellings behind the intervals and the first-stage p.</param>
/// <param name="MaxPermutations">Relabellings of the last stage for the smallest p.</param>
/// <param name="Fdr">The false discovery rate the discoveries are declared at.</param>
/// <param name="Discoveries">Examples with q &lt;= <paramref name="Fdr"/>.</param>
/// <param name="CanReachSignificance">False when no example can reach q &lt;= Fdr whatever the data (smallest p &gt; Fdr).</param>
/// <param name="SingleExampleCanReachSignificance">False when one example alone cannot reach it (smallest p &gt; Fdr / n).</param>
/// <param name="ExamplesNeededAtMinimum">How many examples must all have the smallest p for any to be declared.</param>
/// <param name="PredictedReliability">Predicted Spearman of M with a second training seed of the same design.</param>
/// <param name="PearsonReliability">1 - mean error variance / variance of M (value scale).</param>
/// <param name="RepeatsUsed">Complete repeats the statistics rest on.</param>
internal sealed record ScoreInference(
    double[] Lower, double[] Upper, double[] P, double[] Q, double[] NullBias, double[] Shift,
    double IntervalLevel, double MinAttainableP, bool ExactPermutations, int Permutations, int MaxPermutations,
    double Fdr, int Discoveries, bool CanReachSignificance, bool SingleExampleCanReachSignificance, int ExamplesNeededAtMinimum,
    double PredictedReliability, double PearsonReliability, int RepeatsUsed)
{
    /// <summary>The ranking is mostly noise when another seed is predicted to agree at Spearman below 0.5 (or nothing can be said).</summary>
    public bool RankingMostlyNoise => !(PredictedReliability >= 0.5);

    /// <summary>Rows declared memorized (q &lt;= Fdr), most significant first (ties: larger lower end first).</summary>
    public int[] Memorized() => Enumerable.Range(0, Q.Length).Where(i => Q[i] <= Fdr)
        .OrderBy(i => P[i]).ThenByDescending(i => Lower[i]).ThenBy(i => i).ToArray();

    /// <summary>One sentence on what the design allows and what the data say, for the console and the report.</summary>
    public string SignificanceSentence(int examples)
    {
        string fdr = $"{Fdr * 100:0.#}%";
        if (!CanReachSignificance)
            return $"This design cannot declare any example memorized at FDR {fdr}: with {RepeatsUsed} complete repeats the smallest possible p-value is {MinAttainableP:G3}, above {Fdr:G3}. Use more repeats (L) or folds (K).";
        string count = $"{Discoveries} of {examples} examples memorized at FDR {fdr}";
        if (!SingleExampleCanReachSignificance)
            return $"{count}; discoveries come only in groups: this design cannot declare a single example on its own (the smallest possible p-value is {MinAttainableP:G3}, so at least {ExamplesNeededAtMinimum} examples must reach it together); more repeats lower that.";
        return count + ".";
    }

    /// <summary>One sentence on how far the ranking would repeat with another seed.</summary>
    public string ReliabilitySentence() => double.IsNaN(PredictedReliability)
        ? "The reliability of the ranking cannot be predicted from this run (too few examples with intervals)."
        : RankingMostlyNoise
            ? $"The ranking of M is mostly noise: a second training seed is predicted to agree at Spearman {PredictedReliability:F2}; read single examples through their intervals and q-values."
            : $"A second training seed is predicted to agree with this ranking of M at Spearman {PredictedReliability:F2}.";
}
