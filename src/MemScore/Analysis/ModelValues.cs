using MemScore.Memorization;

namespace MemScore.Analysis;

/// <summary>
/// log p(x_i) of every example under every model of one evaluation epoch, with the fold
/// structure kept: for repeat r and fold k, the model trained on D minus fold k of repeat r; for
/// each (repeat, example) the fold that holds the example out. This is what the per-example
/// statistics need (the permutation test relabels which fold of a repeat counts as "out").
/// Stored per example as one contiguous [repeat, fold] block, so per-example loops read memory in
/// order: n = 60,000, L = K = 10 is 48 MB.
/// Only complete repeats (all K models present) are kept; an example whose block holds NaN
/// (not evaluated under --in-models) has no per-example statistics.
/// </summary>
internal sealed class ModelValues
{
    readonly double[] _values;   // [example][repeat][fold]
    readonly int[] _outFold;     // [example][repeat]

    public int Count { get; }
    public int Repeats { get; }
    public int Folds { get; }
    /// <summary>The repeats of the run these values come from (complete repeats only), in order.</summary>
    public int[] SourceRepeats { get; }

    ModelValues(double[] values, int[] outFold, int count, int repeats, int folds, int[] sourceRepeats)
    {
        _values = values;
        _outFold = outFold;
        Count = count;
        Repeats = repeats;
        Folds = folds;
        SourceRepeats = sourceRepeats;
    }

    /// <param name="values">[repeat][fold][example] log p.</param>
    /// <param name="outFold">[repeat][example] the fold holding the example out (0..K-1).</param>
    public static ModelValues Create(double[][][] values, int[][] outFold)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(outFold);
        int l = values.Length;
        if (l == 0 || outFold.Length != l) throw new ArgumentException("need the same number (>= 1) of repeats for values and out folds", nameof(outFold));
        int k = values[0].Length;
        if (k < 2) throw new ArgumentException("need at least 2 folds", nameof(values));
        int n = values[0][0].Length;
        var flat = new double[(long)n * l * k];
        var outs = new int[n * l];
        for (int r = 0; r < l; r++)
        {
            if (values[r].Length != k || outFold[r].Length != n) throw new ArgumentException($"repeat {r}: expected {k} folds and {n} out folds", nameof(values));
            for (int f = 0; f < k; f++)
            {
                var v = values[r][f];
                if (v.Length != n) throw new ArgumentException($"repeat {r}, fold {f}: {v.Length} values, expected {n}", nameof(values));
                for (int i = 0; i < n; i++) flat[((long)i * l + r) * k + f] = v[i];
            }
            for (int i = 0; i < n; i++)
            {
                int o = outFold[r][i];
                if (o < 0 || o >= k) throw new ArgumentException($"repeat {r}, example {i}: out fold {o} outside 0..{k - 1}", nameof(outFold));
                outs[i * l + r] = o;
            }
        }
        return new ModelValues(flat, outs, n, l, k, Enumerable.Range(0, l).ToArray());
    }

    /// <summary>The values at evaluation column <paramref name="column"/> from the finished tasks of complete repeats; null if no repeat is complete.</summary>
    public static ModelValues? From(IReadOnlyList<TaskResult> results, FoldPlan plan, int column)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(plan);
        var byTask = results.ToDictionary(r => r.Task);
        var complete = Enumerable.Range(0, plan.Repeats).Where(r => Enumerable.Range(0, plan.Folds).All(f => byTask.ContainsKey(new TaskId(r, f)))).ToArray();
        if (complete.Length == 0) return null;
        int n = plan.Count;
        var values = complete.Select(r => Enumerable.Range(0, plan.Folds).Select(f =>
        {
            var result = byTask[new TaskId(r, f)];
            var row = new double[n];
            Array.Fill(row, double.NaN);
            var source = result.LogLikelihoods[column];
            foreach (int i in result.EvaluatedRows(n)) row[i] = source[i];
            return row;
        }).ToArray()).ToArray();
        var outFold = complete.Select(r => Enumerable.Range(0, n).Select(i => plan.FoldOf(r, i)).ToArray()).ToArray();
        var made = Create(values, outFold);
        return new ModelValues(made._values, made._outFold, n, complete.Length, plan.Folds, complete);
    }

    /// <summary>The [repeat, fold] block of example <paramref name="example"/> (row-major, length L K).</summary>
    public ReadOnlySpan<double> Block(int example) => _values.AsSpan(example * Repeats * Folds, Repeats * Folds);

    /// <summary>The out fold of example <paramref name="example"/> in each repeat (length L).</summary>
    public ReadOnlySpan<int> OutFolds(int example) => _outFold.AsSpan(example * Repeats, Repeats);

    public double Value(int repeat, int fold, int example) => _values[((long)example * Repeats + repeat) * Folds + fold];
    public int OutFold(int repeat, int example) => _outFold[example * Repeats + repeat];

    /// <summary>True when every model's value of the example is a number (the per-example statistics need them all).</summary>
    public bool IsComplete(int example)
    {
        foreach (double v in Block(example)) if (double.IsNaN(v)) return false;
        return true;
    }

    /// <summary>The same values restricted to the given repeats (e.g. one half, for selection vs scoring).</summary>
    public ModelValues Subset(IReadOnlyList<int> repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Count == 0 || repeats.Any(r => r < 0 || r >= Repeats)) throw new ArgumentException($"repeats must be a non-empty subset of 0..{Repeats - 1}", nameof(repeats));
        int l = repeats.Count, k = Folds;
        var values = new double[(long)Count * l * k];
        var outs = new int[Count * l];
        for (int i = 0; i < Count; i++)
            for (int j = 0; j < l; j++)
            {
                Array.Copy(_values, ((long)i * Repeats + repeats[j]) * k, values, ((long)i * l + j) * k, k);
                outs[i * l + j] = _outFold[i * Repeats + repeats[j]];
            }
        return new ModelValues(values, outs, Count, l, k, repeats.Select(r => SourceRepeats[r]).ToArray());
    }

    /// <summary>The grouping by repeat the older views use (in values without fold identity).</summary>
    public PerRepeatValues ToPerRepeatValues()
    {
        var inValues = new double[Repeats][][];
        var outValues = new double[Repeats][];
        for (int r = 0; r < Repeats; r++)
        {
            inValues[r] = new double[Count][];
            outValues[r] = new double[Count];
            for (int i = 0; i < Count; i++)
            {
                int o = OutFold(r, i);
                outValues[r][i] = Value(r, o, i);
                inValues[r][i] = Enumerable.Range(0, Folds).Where(f => f != o).Select(f => Value(r, f, i)).Where(v => !double.IsNaN(v)).ToArray();
            }
        }
        return new PerRepeatValues(inValues, outValues);
    }
}
