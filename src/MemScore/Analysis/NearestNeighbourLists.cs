using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Analysis;

/// <summary>
/// The <see cref="K"/> nearest references of every query row, nearest first: row q's j-th neighbour
/// is <c>Index[q * K + j]</c> at Euclidean distance <c>Distance[q * K + j]</c> (-1 and NaN where there
/// are fewer than K references).
/// </summary>
internal sealed record NeighbourLists(int K, int[] Index, double[] Distance)
{
    public int Rows => Index.Length / Math.Max(1, K);
}

/// <summary>
/// Exact k-nearest-neighbour lists by brute force in float64 (what the report's explorer shows beside
/// an example: its nearest training images and nearest generated images). Squared distances are
/// |a|^2 + |b|^2 - 2 a.b per block, clamped at 0; ties go to the lower reference index.
/// </summary>
internal static class NearestNeighbourLists
{
    /// <summary>Doubles per distance block (128 MB).</summary>
    const long BlockValues = 1L << 24;

    /// <param name="queries">[n, ...] rows, flattened per row.</param>
    /// <param name="references">[m, ...] rows with as many values per row as the queries.</param>
    /// <param name="excludeSelf">Queries and references are the same rows: a row is not its own neighbour (an exact duplicate elsewhere still is).</param>
    public static NeighbourLists Nearest(Tensor queries, Tensor references, int k, bool excludeSelf = false)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(references);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "must be >= 1");
        int n = (int)queries.shape[0], m = (int)references.shape[0];
        if (excludeSelf && n != m) throw new ArgumentException($"excludeSelf needs the same rows: {n} queries, {m} references", nameof(references));
        var index = Enumerable.Repeat(-1, n * k).ToArray();
        var distance = Enumerable.Repeat(double.NaN, n * k).ToArray();
        int found = Math.Min(k, excludeSelf ? m - 1 : m);
        if (n == 0 || found < 1) return new NeighbourLists(k, index, distance);
        long width = references.numel() / m;
        if (queries.numel() / n != width) throw new ArgumentException($"queries have {queries.numel() / n} values per row, references {width}", nameof(queries));

        using var scope = NewDisposeScope();
        using var s = new ScalarScope();
        var reference64 = references.reshape(m, width).to_type(ScalarType.Float64);
        var referenceNorms = reference64.pow(s[2]).sum(1).unsqueeze(0);
        var query64 = queries.reshape(n, width).to_type(ScalarType.Float64);
        int chunk = (int)Math.Clamp(BlockValues / m, 1, n);
        for (int q0 = 0; q0 < n; q0 += chunk)
        {
            int length = Math.Min(chunk, n - q0);
            using var blockScope = NewDisposeScope();
            var block = query64.narrow(0, q0, length);
            // Squared distance = |a|^2 + |b|^2 - 2 a.b.
            var squared = block.mm(reference64.t()).mul_(s[-2]).add_(referenceNorms, s.One)
                .add_(block.pow(s[2]).sum(1, keepdim: true), s.One).clamp_min_(s[0.0]);
            Keep(squared, q0, found, k, excludeSelf, index, distance);
        }
        return new NeighbourLists(k, index, distance);
    }

    /// <summary>Per row the <paramref name="found"/> smallest entries by insertion (k is small), nearest first; an equal value never displaces a lower column.</summary>
    static void Keep(Tensor squared, int q0, int found, int k, bool excludeSelf, int[] index, double[] distance)
    {
        int length = (int)squared.shape[0], m = (int)squared.shape[1];
        var values = squared.contiguous().data<double>().ToArray();
        var bestValue = new double[found];
        var bestColumn = new int[found];
        for (int r = 0; r < length; r++)
        {
            int offset = r * m, kept = 0, self = excludeSelf ? q0 + r : -1;
            for (int c = 0; c < m; c++)
            {
                double v = values[offset + c];
                if (c == self || (kept == found && v >= bestValue[found - 1])) continue;
                int at = Math.Min(kept, found - 1);
                while (at > 0 && bestValue[at - 1] > v) { bestValue[at] = bestValue[at - 1]; bestColumn[at] = bestColumn[at - 1]; at--; }
                bestValue[at] = v;
                bestColumn[at] = c;
                kept = Math.Min(kept + 1, found);
            }
            for (int j = 0; j < kept; j++)
            {
                index[(q0 + r) * k + j] = bestColumn[j];
                distance[(q0 + r) * k + j] = Math.Sqrt(bestValue[j]);
            }
        }
    }
}
