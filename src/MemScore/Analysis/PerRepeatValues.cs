using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Analysis;

/// <summary>
/// log p(x_i) of every example under every model of one evaluation epoch, grouped by repeat: in
/// each repeat an example has K-1 "in" values (fewer with --in-models: only the evaluated ones,
/// possibly none) and exactly one "out" value (the folds of a repeat partition the data). The basis of the uncertainty, reliability, bias and membership views.
/// </summary>
internal sealed class PerRepeatValues
{
    readonly double[][][] _in;   // [repeat][example] -> in values
    readonly double[][] _out;    // [repeat][example] -> out value (NaN if that task is missing)

    public int Repeats => _in.Length;
    public int Count => _out.Length == 0 ? 0 : _out[0].Length;

    public PerRepeatValues(double[][][] inValues, double[][] outValues)
    {
        if (inValues.Length != outValues.Length || inValues.Length == 0) throw new ArgumentException("need the same number (>= 1) of repeats for in and out values");
        _in = inValues;
        _out = outValues;
    }

    /// <summary>Groups the finished tasks' values at evaluation column <paramref name="column"/>.</summary>
    public static PerRepeatValues From(IReadOnlyList<TaskResult> results, int repeats, int count, int column)
    {
        var inValues = Enumerable.Range(0, repeats).Select(_ => Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray()).ToArray();
        var outValues = Enumerable.Range(0, repeats).Select(_ => Enumerable.Repeat(double.NaN, count).ToArray()).ToArray();
        foreach (var result in results)
        {
            var heldOut = new bool[count];
            foreach (int i in result.HeldOut) heldOut[i] = true;
            var values = result.LogLikelihoods[column];
            foreach (int i in result.EvaluatedRows(count))
                if (heldOut[i]) outValues[result.Task.Repeat][i] = values[i];
                else inValues[result.Task.Repeat][i].Add(values[i]);
        }
        return new PerRepeatValues(inValues.Select(r => r.Select(l => l.ToArray()).ToArray()).ToArray(), outValues);
    }

    public double[] In(int repeat, int example) => _in[repeat][example];
    public double Out(int repeat, int example) => _out[repeat][example];

    /// <summary>M_i from the given repeats only: logmeanexp(their in values) - logmeanexp(their out values).</summary>
    public double[] Memorization(IReadOnlyCollection<int> repeats)
    {
        var m = new double[Count];
        for (int i = 0; i < Count; i++)
        {
            var u = new LogSumExpAccumulator();
            var v = new LogSumExpAccumulator();
            foreach (int r in repeats)
            {
                foreach (double value in _in[r][i]) u.Add(value);
                if (!double.IsNaN(_out[r][i])) v.Add(_out[r][i]);
            }
            m[i] = u.LogMeanExp - v.LogMeanExp;
        }
        return m;
    }

    public double[] Memorization() => Memorization(Enumerable.Range(0, Repeats).ToArray());

    /// <summary>All (in, out) values pooled, for the membership-inference ROC.</summary>
    public (List<double> In, List<double> Out) Pooled(IEnumerable<int>? examples = null)
    {
        var ins = new List<double>();
        var outs = new List<double>();
        foreach (int i in examples ?? Enumerable.Range(0, Count))
            for (int r = 0; r < Repeats; r++)
            {
                ins.AddRange(_in[r][i]);
                if (!double.IsNaN(_out[r][i])) outs.Add(_out[r][i]);
            }
        return (ins, outs);
    }
}
