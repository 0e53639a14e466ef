using System.Numerics;
using MemScore.Core;

namespace MemScore.Tests.Core;

public class SplitMix64Tests
{
    static readonly BigInteger TwoTo32 = BigInteger.One << 32;

    /// <summary>Ceiling of a / b for non-negative integers.</summary>
    static BigInteger Ceiling(BigInteger a, BigInteger b) => (a + b - 1) / b;

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(7u)]        // 2^32 mod 7 = 4, 2^64 mod 7 = 2 (the scheme-1 threshold)
    [InlineData(10u)]
    [InlineData(1000u)]
    [InlineData(1000000007u)]
    [InlineData(1431655766u)]   // 2^32 mod n = 1431655764, 2^64 mod n = 4
    [InlineData(2147483647u)]   // int.MaxValue
    public void Rejection_threshold_is_2_to_the_32_mod_bound(uint bound)
    {
        Assert.Equal((uint)(TwoTo32 % bound), SplitMix64.RejectionThreshold(bound));
    }

    [Theory]
    [InlineData(3u)]
    [InlineData(7u)]
    [InlineData(10u)]
    [InlineData(97u)]
    public void Every_answer_has_exactly_floor_2_to_the_32_over_bound_accepted_words(uint bound)
    {
        // Words r in [0, 2^32) map to j = floor(r n / 2^32); r is accepted when (r n mod 2^32) >= t.
        // The accepted words of j are r >= ceil((j 2^32 + t) / n) and r < ceil((j + 1) 2^32 / n), so their
        // count is exact arithmetic, no sampling: with the right t every j has the same count.
        uint t = SplitMix64.RejectionThreshold(bound);
        var counts = Enumerable.Range(0, (int)bound)
            .Select(j => Ceiling((j + 1) * TwoTo32, bound) - Ceiling(j * TwoTo32 + t, bound)).ToArray();
        Assert.All(counts, c => Assert.Equal(TwoTo32 / bound, c));
    }

    [Theory]
    [InlineData(7, 11L)]
    [InlineData(1431655766, 12L)]   // a third of all words must be rejected; scheme 1 rejected almost none
    [InlineData(1000000007, 13L)]
    public void NextInt_applies_the_exact_rule_to_the_raw_stream(int bound, long seed)
    {
        // Replays the same stream by hand: high 32 bits r, product r n, accept when its low word is >= 2^32 mod n
        // (computed with BigInteger), answer = high word. After every call both streams must stand at the same word.
        var rng = new SplitMix64(seed);
        var twin = new SplitMix64(seed);
        uint threshold = (uint)(TwoTo32 % bound);
        int rejected = 0;
        for (int call = 0; call < 3000; call++)
        {
            int expected;
            while (true)
            {
                BigInteger product = (BigInteger)(twin.NextUInt64() >> 32) * bound;
                if (product % TwoTo32 >= threshold) { expected = (int)(product >> 32); break; }
                rejected++;
            }
            Assert.Equal(expected, rng.NextInt(bound));
        }
        Assert.Equal(twin.NextUInt64(), rng.NextUInt64());
        if (bound == 1431655766) Assert.InRange(rejected, 1000, 2000);   // ~1500 of ~4500 words (p = 1/3; 8 sd either side)
    }

    [Fact]
    public void NextInt_is_uniform_by_a_chi_square_test()
    {
        // Seed 20240601, 700,000 draws of NextInt(7): Pearson chi-square with 6 degrees of freedom.
        // P(chi2_6 > 38.3) = 9.8e-7 (e^{-x/2} (1 + x/2 + x^2/8)): the false-failure rate of this test for a correct generator (fixed seed, so
        // it either always passes or always fails; about 1e-6 is the chance a correct generator picks a failing seed).
        const int bound = 7, draws = 700_000;
        var rng = new SplitMix64(20240601);
        var counts = new long[bound];
        for (int i = 0; i < draws; i++) counts[rng.NextInt(bound)]++;
        double expected = (double)draws / bound;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chi2 < 38.3, $"chi-square {chi2:F2} with 6 df over counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void NextInt_rejects_non_positive_bounds_and_bound_one_gives_zero()
    {
        var rng = new SplitMix64(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => SplitMix64.RejectionThreshold(0));
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, rng.NextInt(1)));
    }
}
