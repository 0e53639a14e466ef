namespace MemScore.Core;

/// <summary>Numerically stable log-domain reductions in float64.</summary>
internal static class LogMath
{
    /// <summary>log(sum(exp(values))); -inf for an empty input or all -inf; NaN if any value is NaN or +inf mixes in.</summary>
    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) return double.NaN;
            if (v > max) max = v;
        }
        if (double.IsNegativeInfinity(max)) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(max)) return double.PositiveInfinity;
        double sum = 0;
        foreach (double v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>log(mean(exp(values))) = logsumexp - log(m) (METHOD.md section 2).</summary>
    public static double LogMeanExp(ReadOnlySpan<double> values)
    {
        if (values.Length == 0) return double.NaN;
        return LogSumExp(values) - Math.Log(values.Length);
    }
}

/// <summary>
/// Streaming log-sum-exp: add values one at a time, keep (max, scaled sum). Used by the aggregator so
/// that no per-model values need to be kept in memory.
/// </summary>
internal struct LogSumExpAccumulator
{
    double _max;
    double _scaledSum;
    int _count;
    bool _sawNaN;
    bool _hasValue;

    public readonly int Count => _count;

    public void Add(double value)
    {
        _count++;
        if (double.IsNaN(value)) { _sawNaN = true; return; }
        if (!_hasValue) { _max = value; _scaledSum = 1; _hasValue = true; return; }
        if (double.IsPositiveInfinity(_max)) return;
        if (value > _max)
        {
            _scaledSum = (double.IsNegativeInfinity(_max) ? 0 : _scaledSum * Math.Exp(_max - value)) + 1;
            _max = value;
        }
        else if (!double.IsNegativeInfinity(value))
        {
            _scaledSum += Math.Exp(value - _max);
        }
    }

    public readonly double LogSumExp =>
        _count == 0 ? double.NegativeInfinity
        : _sawNaN ? double.NaN
        : double.IsNegativeInfinity(_max) ? double.NegativeInfinity
        : double.IsPositiveInfinity(_max) ? double.PositiveInfinity
        : _max + Math.Log(_scaledSum);

    public readonly double LogMeanExp => _count == 0 ? double.NaN : LogSumExp - Math.Log(_count);
}
