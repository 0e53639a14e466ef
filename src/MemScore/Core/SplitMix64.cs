namespace MemScore.Core;

/// <summary>
/// A small, fully specified pseudo-random generator (Steele, Lea &amp; Flood 2014). Used where we need
/// streams that are identical on every platform and .NET version (System.Random makes no such promise).
/// </summary>
internal sealed class SplitMix64(long seed)
{
    ulong _state = (ulong)seed;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>
    /// Uniform integer in [0, bound), exactly, by Lemire's multiply-and-reject (Lemire 2019, "Fast random
    /// integer generation in an interval", Algorithm 5) on 32-bit words: r = the high 32 bits of the next
    /// 64-bit output, the answer is floor(r * bound / 2^32), and r is rejected when the low 32 bits of
    /// r * bound are below 2^32 mod bound (<see cref="RejectionThreshold"/>). Every answer then comes
    /// from exactly floor(2^32 / bound) accepted values of r. Results scheme 1 used 2^64 mod bound as the
    /// threshold with this 32-bit product, which rejected the wrong values for most bounds (a bias of
    /// order bound / 2^32); the accepted values and the mapping are otherwise the same, so draws differ
    /// from scheme 1 only where a value lands between the two thresholds (chance below bound / 2^32 per
    /// call), but any fold plan may change and the results scheme was bumped (<see cref="ResultsScheme"/>).
    /// </summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "must be positive");
        uint threshold = RejectionThreshold((uint)bound);
        while (true)
        {
            ulong r = NextUInt64() >> 32;
            ulong product = r * (uint)bound;
            if ((uint)product >= threshold) return (int)(product >> 32);
        }
    }

    /// <summary>2^32 mod <paramref name="bound"/>: the number of low words Lemire's method must reject (computed as (2^32 - bound) mod bound in 32 bits).</summary>
    public static uint RejectionThreshold(uint bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "must be positive");
        return unchecked(0u - bound) % bound;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
