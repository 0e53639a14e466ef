using MemScore.Analysis;
using MemScore.Core;

namespace MemScore.Tests.Analysis;

public class UncertaintyTests
{
    [Fact]
    public void Memorization_from_all_repeats_matches_a_direct_log_mean_exp()
    {
        var values = new PerRepeatValues([[[-1.0, -2.0]], [[-3.0, -4.0]]], [[-5.0], [-6.0]]);
        double expected = LogMath.LogMeanExp([-1.0, -2, -3, -4]) - LogMath.LogMeanExp([-5.0, -6]);
        Assert.Equal(expected, values.Memorization()[0], 12);
        Assert.Equal(LogMath.LogMeanExp([-1.0, -2]) + 5, values.Memorization([0])[0], 12);
        var byRepeats = Uncertainty.QuantilesByRepeats(values, [0.5]);
        Assert.Equal(2, byRepeats.Length);
        Assert.Equal(expected, byRepeats[1][0], 12);
    }
}
