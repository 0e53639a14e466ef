using System.Text;

namespace MemScore.Core;

/// <summary>
/// Derives independent seeds for every random consumer from one root seed, a purpose name and
/// integer coordinates (repeat, fold, epoch, ...). The same inputs always give the same seed, so
/// results do not depend on the order in which tasks run or on how the work is split.
/// </summary>
internal static class SeedDeriver
{
    public static long Derive(long rootSeed, string purpose, params long[] coordinates)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ulong state = SplitMix64.Mix((ulong)rootSeed ^ Fnv1a(purpose));
        foreach (long c in coordinates)
            state = SplitMix64.Mix(state ^ SplitMix64.Mix((ulong)c + 0x9E3779B97F4A7C15UL));
        // Non-negative so it can seed any generator that takes a signed 64-bit seed.
        return (long)(state >> 1);
    }

    static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
