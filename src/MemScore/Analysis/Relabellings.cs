using MemScore.Core;

namespace MemScore.Analysis;

/// <summary>
/// The relabellings of the per-example permutation test. Within each repeat the folds of an example are
/// exchangeable under H0 (in- and out-model values of log p(x_i) have the same distribution), and the
/// design itself drew the out fold at random. A relabelling shifts the out fold of every repeat:
/// out'_r(i) = (f_r(i) + s_r) mod K, s in {0..K-1}^L. For one example, s running over (Z_K)^L visits
/// every choice of one out fold per repeat exactly once, so the same shift vectors serve every example
/// at once (one table of shifts, vectorized over examples). The shifts form a group, which makes the
/// Monte Carlo version exact as well: T_obs and B uniform draws are exchangeable under H0.
/// Exact enumeration (all K^L - 1 non-identity shifts) when K^L is at most the exact limit; otherwise
/// draws from a SplitMix64 stream seeded by (seed, "relabelling"), read in order, so draws 1..B are
/// the same whatever B is (later refinement stages extend the first stage).
/// </summary>
internal sealed class Relabellings
{
    readonly SplitMix64? _rng;
    int[] _shifts;   // [draw][repeat]

    public int Repeats { get; }
    public int Folds { get; }
    public bool Exact { get; }
    /// <summary>Relabellings generated so far (exact: K^L - 1, the identity excluded).</summary>
    public int Count { get; private set; }
    /// <summary>K^L, or +inf (as double) when it does not fit.</summary>
    public double GroupSize { get; }

    Relabellings(int repeats, int folds, bool exact, SplitMix64? rng, int[] shifts, int count)
    {
        Repeats = repeats;
        Folds = folds;
        Exact = exact;
        _rng = rng;
        _shifts = shifts;
        Count = count;
        GroupSize = Math.Pow(folds, repeats);
    }

    /// <summary>All K^L - 1 non-identity shift vectors when K^L &lt;= <paramref name="exactLimit"/>, else <paramref name="draws"/> seeded draws.</summary>
    public static Relabellings Create(int repeats, int folds, int draws, int exactLimit, long seed)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "must be >= 1");
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "must be >= 2");
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), draws, "must be >= 1");
        double group = Math.Pow(folds, repeats);
        if (group <= exactLimit)
        {
            int g = (int)group;
            var shifts = new int[(g - 1) * repeats];
            var digits = new int[repeats];
            for (int b = 0; b < g - 1; b++)
            {
                // Mixed-radix counter starting at 1: every non-identity shift vector once.
                for (int r = 0; r < repeats; r++)
                {
                    if (++digits[r] < folds) break;
                    digits[r] = 0;
                }
                Array.Copy(digits, 0, shifts, b * repeats, repeats);
            }
            return new Relabellings(repeats, folds, true, null, shifts, g - 1) { Identities = new bool[g - 1] };
        }
        var generated = new Relabellings(repeats, folds, false, new SplitMix64(new SeedSchedule(seed).Relabelling), [], 0);
        generated.Extend(draws);
        return generated;
    }

    /// <summary>Draws more relabellings from the stream until <paramref name="count"/> exist (Monte Carlo only).</summary>
    public void Extend(int count)
    {
        if (Exact || count <= Count) return;
        var shifts = new int[(long)count * Repeats];
        Array.Copy(_shifts, shifts, (long)Count * Repeats);
        for (long j = (long)Count * Repeats; j < shifts.LongLength; j++) shifts[j] = _rng!.NextInt(Folds);
        _shifts = shifts;
        var identities = new bool[count];
        Array.Copy(Identities, identities, Identities.Length);
        for (int b = Count; b < count; b++) identities[b] = IsIdentity(b);
        Identities = identities;
        Count = count;
    }

    /// <summary>The shift table [draw * L + repeat] (read-only by convention; for the vectorized loops).</summary>
    internal int[] Table => _shifts;

    /// <summary>[draw] true where every shift is 0 (a Monte Carlo draw of the identity: a tie at every delta).</summary>
    internal bool[] Identities { get; private set; } = [];

    /// <summary>The shift vector of relabelling <paramref name="index"/> (length L).</summary>
    public ReadOnlySpan<int> Shifts(int index) => _shifts.AsSpan(index * Repeats, Repeats);

    public bool IsIdentity(int index)
    {
        foreach (int s in Shifts(index)) if (s != 0) return false;
        return true;
    }
}
