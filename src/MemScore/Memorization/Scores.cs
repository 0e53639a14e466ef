namespace MemScore.Memorization;

/// <summary>
/// Memorization scores per example (row) and evaluation epoch (column): U = log P_A(x_i | D),
/// V = log P_A(x_i | D \ x_i), M = U - V, all in nats. An example with no "in" or no "out"
/// values has NaN there (never produced by a complete plan).
/// </summary>
public sealed class Scores(int[] evaluationEpochs, double[,] u, double[,] v, int[] nIn, int[] nOut, int[] labels, int[] sourceIndices)
{
    public int[] EvaluationEpochs { get; } = evaluationEpochs;
    public double[,] U { get; } = u;
    public double[,] V { get; } = v;
    public int[] CountIn { get; } = nIn;
    public int[] CountOut { get; } = nOut;
    public int[] Labels { get; } = labels;
    /// <summary>Index of each example in its source data file.</summary>
    public int[] SourceIndices { get; } = sourceIndices;

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
