using MemScore.Analysis;

namespace MemScore.Tests.Analysis;

public class MannWhitneyTests
{
    [Fact]
    public void Small_example_matches_the_hand_computation_and_is_antisymmetric()
    {
        // first = {1, 2, 3}, second = {2, 4, 5, 6}. Pairs with first > second: (3 > 2) = 1, plus the tie
        // (2, 2) = 1/2, so U = 1.5. n1 n2 / 2 = 6. One tie group of size 2: sum(t^3 - t) = 6, N = 7,
        // variance = 12 / 12 * (8 - 6 / 42) = 7.857142857..., z = -4.5 / sqrt(7.857142857) = -1.6053886530285204.
        // Two-sided p = erfc(|z| / sqrt 2) = 0.10840829998146523 (Python's math.erfc).
        var forward = MannWhitney.Test([1.0, 2, 3], [2.0, 4, 5, 6]);
        Assert.Equal(1.5, forward.U, 12);
        Assert.Equal(-1.6053886530285204, forward.Z, 12);
        Assert.Equal(0.10840829998146523, forward.TwoSidedP, 12);
        Assert.Equal(1.5 / 12, forward.ProbabilityFirstGreater, 12);

        var backward = MannWhitney.Test([2.0, 4, 5, 6], [1.0, 2, 3]);
        Assert.Equal(12 - 1.5, backward.U, 12);   // U1 + U2 = n1 n2
        Assert.Equal(-forward.Z, backward.Z, 12);
        Assert.Equal(forward.TwoSidedP, backward.TwoSidedP, 12);
    }

    [Fact]
    public void Separated_samples_reach_the_extreme_z_and_equal_values_give_zero()
    {
        // U = 0: z = -(n1 n2 / 2) / sqrt(n1 n2 (N + 1) / 12) = -sqrt(3 n1 n2 / (N + 1)) = -sqrt(3 * 4 * 5 / 10).
        Assert.Equal(-Math.Sqrt(6), MannWhitney.Test([1.0, 2, 3, 4], [10.0, 11, 12, 13, 14]).Z, 12);
        var equal = MannWhitney.Test([3.0, 3], [3.0, 3, 3]);
        Assert.Equal(0.0, equal.Z);
        Assert.Equal(3.0, equal.U);
        Assert.Equal(1.0, equal.TwoSidedP, 12);
    }

    [Fact]
    public void Rejects_empty_samples_and_NaN()
    {
        Assert.Throws<ArgumentException>(() => MannWhitney.Test([], [1.0]));
        Assert.Throws<ArgumentException>(() => MannWhitney.Test([1.0, double.NaN], [1.0]));
    }

    [Theory]   // Expected values from Python's math.erfc; relative precision 1e-12 (the approximations reach ~1e-14).
    [InlineData(0.1, 0.8875370839817152)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(1.9, 0.0072095707647425325)]
    [InlineData(2.0, 0.004677734981047265)]
    [InlineData(2.5, 0.0004069520174449589)]
    [InlineData(3.0, 2.2090496998585438e-05)]
    [InlineData(5.0, 1.5374597944280351e-12)]
    [InlineData(10.0, 2.088487583762545e-45)]
    [InlineData(-1.0, 1.842700792949715)]
    public void Erfc_matches_reference_values(double x, double expected)
    {
        Assert.True(Math.Abs(NormalDistribution.Erfc(x) - expected) <= 1e-12 * expected, $"erfc({x}) = {NormalDistribution.Erfc(x)}, expected {expected}");
    }

    [Fact]
    public void Normal_tails_at_familiar_points()
    {
        Assert.Equal(0.025, NormalDistribution.UpperTail(1.959963984540054), 12);
        Assert.Equal(0.0013498980316300957, NormalDistribution.UpperTail(3), 14);
        Assert.Equal(0.5, NormalDistribution.UpperTail(0), 14);
        Assert.Equal(1 - 0.025, NormalDistribution.UpperTail(-1.959963984540054), 12);
        Assert.Equal(0.05, NormalDistribution.TwoSided(-1.959963984540054), 12);
        Assert.True(double.IsNaN(NormalDistribution.Erfc(double.NaN)));
    }
}
