using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// The optional 'evaluated' array of task results and checkpoints (--in-models): the sorted rows
/// that hold log p(x) values. Absent = every row. An evaluated row must hold a finite value and
/// every other row NaN, so a gap is never read as a value nor a value silently dropped.
/// </summary>
static class EvaluatedRows
{
    public const string Key = "evaluated";

    public static void AddTo(Dictionary<string, NpyArray> arrays, int[]? evaluated)
    {
        if (evaluated is not null) arrays[Key] = NpyArray.FromInt32(evaluated);
    }

    /// <summary>Reads the array (null when absent) and checks <paramref name="values"/> ([evaluations * n], row-major) against it.</summary>
    public static int[]? ReadAndCheck(string path, IReadOnlyDictionary<string, NpyArray> arrays, double[] values, int n, string advice)
    {
        int[]? evaluated = null;
        if (arrays.TryGetValue(Key, out var array))
        {
            if (array.Shape.Length != 1) throw new InvalidInputException(path, $"'{Key}' has {array.Shape.Length} dimensions, expected 1");
            var raw = array.ToInt64();
            for (int j = 0; j < raw.Length; j++)
                if (raw[j] < 0 || raw[j] >= n || (j > 0 && raw[j] <= raw[j - 1]))
                    throw new InvalidInputException(path, $"'{Key}' must list distinct rows in 0..{n - 1} in increasing order; entry {j} is {raw[j]}");
            evaluated = Array.ConvertAll(raw, v => (int)v);
        }
        var isEvaluated = new bool[n];
        foreach (int i in evaluated ?? Enumerable.Range(0, n)) isEvaluated[i] = true;
        for (int k = 0; k < values.Length; k++)
        {
            int row = k % n;
            if (isEvaluated[row] && !double.IsFinite(values[k]))
                throw new InvalidInputException(path, $"'logp' holds {values[k]} at evaluation {k / n}, example {row}; {advice}");
            if (!isEvaluated[row] && !double.IsNaN(values[k]))
                throw new InvalidInputException(path, $"'logp' holds {values[k]} at evaluation {k / n}, example {row}, which '{Key}' does not list; {advice}");
        }
        return evaluated;
    }
}
