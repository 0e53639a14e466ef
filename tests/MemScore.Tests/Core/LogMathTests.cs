using MemScore.Core;

namespace MemScore.Tests.Core;

public class LogMathTests
{
    const double Tolerance = 1e-12; // float64 reductions over a handful of terms

    public static TheoryData<double[], double> LogSumExpTable => new()
    {
        { [0.0], 0.0 },
        { [0.0, 0.0], Math.Log(2) },
        { [Math.Log(1), Math.Log(2), Math.Log(3)], Math.Log(6) },
        { [1000.0, 1000.0], 1000.0 + Math.Log(2) },            // would overflow without the max shift
        { [-1000.0, -1000.0], -1000.0 + Math.Log(2) },         // would underflow to log(0)
        { [-1e308, 0.0], 0.0 },
        { [double.NegativeInfinity, 5.0], 5.0 },
        { [double.NegativeInfinity, double.NegativeInfinity], double.NegativeInfinity },
        { [], double.NegativeInfinity },
        { [double.PositiveInfinity, 1.0], double.PositiveInfinity },
    };

    [Theory]
    [MemberData(nameof(LogSumExpTable))]
    public void LogSumExp_matches_table(double[] values, double expected)
    {
        AssertClose(expected, LogMath.LogSumExp(values));
        var streaming = new LogSumExpAccumulator();
        foreach (double v in values) streaming.Add(v);
        AssertClose(expected, streaming.LogSumExp);
    }

    [Fact]
    public void NaN_propagates_instead_of_being_skipped()
    {
        Assert.True(double.IsNaN(LogMath.LogSumExp([1.0, double.NaN])));
        var streaming = new LogSumExpAccumulator();
        streaming.Add(double.NaN);
        streaming.Add(1.0);
        Assert.True(double.IsNaN(streaming.LogMeanExp));
        Assert.Equal(2, streaming.Count);
    }

    [Fact]
    public void LogMeanExp_subtracts_log_count()
    {
        AssertClose(Math.Log((Math.Exp(-3) + Math.Exp(-5) + Math.Exp(-7)) / 3), LogMath.LogMeanExp([-3.0, -5.0, -7.0]));
        Assert.True(double.IsNaN(LogMath.LogMeanExp([])));
    }

    [Fact]
    public void Streaming_equals_batch_in_any_order()
    {
        var rng = new SplitMix64(7);
        var values = Enumerable.Range(0, 500).Select(_ => (rng.NextDouble() - 0.5) * 2000).ToArray();
        double batch = LogMath.LogMeanExp(values);
        foreach (var order in new[] { values, values.Reverse().ToArray(), values.OrderBy(v => v).ToArray() })
        {
            var acc = new LogSumExpAccumulator();
            foreach (double v in order) acc.Add(v);
            Assert.Equal(batch, acc.LogMeanExp, 9); // 1e-9: different summation orders of 500 terms
        }
    }

    static void AssertClose(double expected, double actual)
    {
        if (double.IsInfinity(expected) || double.IsNaN(expected)) Assert.Equal(expected, actual);
        else Assert.InRange(actual, expected - Tolerance * Math.Max(1, Math.Abs(expected)), expected + Tolerance * Math.Max(1, Math.Abs(expected)));
    }
}

public class DenormalFlushingTests
{
    [Fact]
    public void Flushes_denormal_results_to_zero_only_while_enabled()
    {
        if (!MemScore.Core.DenormalFlushing.IsSupported) return; // x86-64 only; elsewhere a documented no-op
        float tiny = float.Parse("1e-30", System.Globalization.CultureInfo.InvariantCulture);
        float scale = float.Parse("1e-10", System.Globalization.CultureInfo.InvariantCulture);
        bool before = MemScore.Core.DenormalFlushing.SetForCurrentThread(false);
        try
        {
            Assert.False(MemScore.Core.DenormalFlushing.IsEnabledForCurrentThread);
            Assert.True(Multiply(tiny, scale) > 0, "1e-40 is a representable denormal without FTZ");
            MemScore.Core.DenormalFlushing.SetForCurrentThread(true);
            Assert.True(MemScore.Core.DenormalFlushing.IsEnabledForCurrentThread);
            Assert.Equal(0f, Multiply(tiny, scale));
            Assert.InRange(Multiply(tiny, 1e10f), 0.999e-20f, 1.001e-20f); // normal results are untouched
        }
        finally
        {
            MemScore.Core.DenormalFlushing.SetForCurrentThread(before);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static float Multiply(float a, float b) => a * b;
}
