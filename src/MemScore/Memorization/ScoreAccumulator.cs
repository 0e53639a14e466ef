using MemScore.Core;

namespace MemScore.Memorization;

/// <summary>
/// Streaming aggregation of task results (METHOD.md section 2): for every example i and evaluation
/// e, U = logmeanexp of its "in" values (models trained with i), V = logmeanexp of its "out" values,
/// M = U - V. Only a result's evaluated rows count (with --in-models, n_in = M for every example).
/// Keeps only running log-sum-exp state, never the per-model values.
/// </summary>
internal sealed class ScoreAccumulator
{
    readonly LogSumExpAccumulator[,] _in;
    readonly LogSumExpAccumulator[,] _out;
    readonly int[] _evaluationEpochs;
    readonly HashSet<TaskId> _seen = [];

    public int Count { get; }

    public ScoreAccumulator(int count, int[] evaluationEpochs)
    {
        ArgumentNullException.ThrowIfNull(evaluationEpochs);
        Count = count;
        _evaluationEpochs = evaluationEpochs;
        _in = new LogSumExpAccumulator[evaluationEpochs.Length, count];
        _out = new LogSumExpAccumulator[evaluationEpochs.Length, count];
    }

    public int TasksAdded => _seen.Count;

    public void Add(TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.EvaluationEpochs.SequenceEqual(_evaluationEpochs))
            throw new ArgumentException($"task {result.Task} evaluated epochs [{string.Join(",", result.EvaluationEpochs)}], expected [{string.Join(",", _evaluationEpochs)}]");
        if (!_seen.Add(result.Task)) throw new ArgumentException($"task {result.Task} added twice");
        var heldOut = new bool[Count];
        foreach (int i in result.HeldOut) heldOut[i] = true;
        int[] rows = result.EvaluatedRows(Count).ToArray();
        if (rows.Any(i => i < 0 || i >= Count)) throw new ArgumentException($"task {result.Task} lists evaluated rows outside 0..{Count - 1}");
        for (int e = 0; e < _evaluationEpochs.Length; e++)
        {
            var values = result.LogLikelihoods[e];
            if (values.Length != Count) throw new ArgumentException($"task {result.Task} has {values.Length} values, expected {Count}");
            foreach (int i in rows)
            {
                if (heldOut[i]) _out[e, i].Add(values[i]);
                else _in[e, i].Add(values[i]);
            }
        }
    }

    public Scores ToScores(int[] labels, int[] sourceIndices)
    {
        int epochs = _evaluationEpochs.Length;
        var u = new double[Count, epochs];
        var v = new double[Count, epochs];
        var nIn = new int[Count];
        var nOut = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            nIn[i] = _in[0, i].Count;
            nOut[i] = _out[0, i].Count;
            for (int e = 0; e < epochs; e++)
            {
                u[i, e] = _in[e, i].LogMeanExp;
                v[i, e] = _out[e, i].LogMeanExp;
            }
        }
        return new Scores(_evaluationEpochs, u, v, nIn, nOut, labels, sourceIndices);
    }
}
