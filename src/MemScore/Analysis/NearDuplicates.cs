using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Analysis;

/// <summary>Row <paramref name="Removed"/> lies within the threshold of the earlier kept row <paramref name="Kept"/>, at RMS distance <paramref name="Distance"/>.</summary>
internal sealed record NearDuplicate(int Removed, int Kept, double Distance);

/// <summary>
/// The outcome of <see cref="NearDuplicates.Find"/> over n rows: the rows kept (ascending) and, per
/// removed row, the kept row it duplicates (ascending by removed row).
/// </summary>
internal sealed record NearDuplicateSet(int Count, double Threshold, int[] Kept, NearDuplicate[] Removed)
{
    /// <summary>Groups of two or more rows (a kept row first, then the rows removed for it), largest first, ties by kept row.</summary>
    public int[][] Groups() => Removed.GroupBy(d => d.Kept)
        .Select(g => new[] { g.Key }.Concat(g.Select(d => d.Removed)).ToArray())
        .OrderByDescending(g => g.Length).ThenBy(g => g[0]).ToArray();

    /// <summary>Per row: true when it belongs to a group of two or more (kept or removed).</summary>
    public bool[] Duplicated()
    {
        var flags = new bool[Count];
        foreach (var d in Removed) flags[d.Removed] = flags[d.Kept] = true;
        return flags;
    }
}

/// <summary>
/// Near-duplicate images on 2x down-sampled images. Distances are root-mean-square per pixel of the down-sampled images,
/// in the units of the intensities given (for [0, 1] intensities: 0 = identical after down-sampling, 1 = black against
/// white everywhere); RMS = Euclidean distance / sqrt(C (H/2) (W/2)), so the threshold does not depend on the image size.
/// Rows are visited in index order and a row is removed when an earlier kept row lies within the threshold (distance
/// &lt;= threshold); it is listed against the nearest such row (smallest float64 squared distance, then the lowest
/// index). So every removed row is within the threshold of its kept row, no two kept rows are within it, and the
/// first row of each group is kept: deterministic, and independent of the block size. The rows within the threshold
/// come from an exact fixed-radius search (<see cref="NearPairSearch"/>), block by block against the rows kept before
/// the block and the block itself.
/// </summary>
internal static class NearDuplicates
{
    public const int DefaultBlockRows = 4096;

    /// <param name="images">[n, C, H, W] intensities; an odd last row or column is left out of the 2x2 pooling.</param>
    public static NearDuplicateSet Find(Tensor images, double threshold, int blockRows = DefaultBlockRows)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!(threshold >= 0 && double.IsFinite(threshold))) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be a finite number >= 0");
        if (blockRows < 1) throw new ArgumentOutOfRangeException(nameof(blockRows), blockRows, "must be >= 1");
        int n = (int)images.shape[0];
        using var scope = NewDisposeScope();
        var pooled = Pooled(images);
        var features = pooled.reshape(n, -1);
        double scale = Math.Sqrt(features.shape[1]);
        using var search = new NearPairSearch(features, ScreenRows(pooled), threshold * scale);
        var isKept = new bool[n];
        var removed = new List<NearDuplicate>();
        for (int start = 0; start < n; start += blockRows)
        {
            int length = Math.Min(blockRows, n - start);
            var candidates = search.Candidates(start, length);
            for (int r = 0; r < length; r++)
            {
                var (nearest, squared) = NearestKept(search, start + r, candidates[r], isKept);
                double distance = Math.Sqrt(squared) / scale;
                if (nearest >= 0 && distance <= threshold) removed.Add(new NearDuplicate(start + r, nearest, distance));
                else isKept[start + r] = true;
            }
            search.Keep(Enumerable.Range(start, length).Where(i => isKept[i]));
        }
        return new NearDuplicateSet(n, threshold, Enumerable.Range(0, n).Where(i => isKept[i]).ToArray(), [.. removed]);
    }

    /// <summary>The kept candidate nearest to <paramref name="row"/> (smallest float64 squared distance, then lowest row); -1 when none is kept.</summary>
    static (int Row, double Squared) NearestKept(NearPairSearch search, int row, List<int> candidates, bool[] isKept)
    {
        (int Row, double Squared) best = (-1, double.PositiveInfinity);
        foreach (int candidate in candidates)
        {
            if (!isKept[candidate]) continue;
            double squared = search.SquaredDistance(row, candidate);
            if (squared < best.Squared || (squared == best.Squared && candidate < best.Row)) best = (candidate, squared);
        }
        return best;
    }

    /// <summary>[n, C (H/2) (W/2)] float64 rows: 2x2 means of the images, an odd last row or column left out.</summary>
    public static Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        var pooled = Pooled(images);
        return pooled.reshape(pooled.shape[0], -1).MoveToOuterDisposeScope();
    }

    /// <summary>[n, C, H/2, W/2] float64: 2x2 means, an odd last row or column left out.</summary>
    static Tensor Pooled(Tensor images)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected [n, C, H, W] images, got shape [{string.Join(", ", images.shape)}]", nameof(images));
        if (images.shape[2] < 2 || images.shape[3] < 2) throw new ArgumentException($"images of {images.shape[2]}x{images.shape[3]} are too small to down-sample 2x", nameof(images));
        using var scope = NewDisposeScope();
        return NearestNeighbours.Downsample2x(EvenPart(images).to_type(ScalarType.Float64)).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows whose Euclidean distances never exceed those of the pooled images: 2 x the 2x2 means of the pooled images (an odd
    /// last row or column left out). For a difference x of two pooled images and a 2x2 block, sum_k x_k^2 &gt;= 4 mean(x)^2
    /// (Cauchy-Schwarz) and left-out pixels add only more, so ‖x‖ &gt;= 2 ‖pool(x)‖. A quarter of the width, so a quarter of
    /// the screening work; the pooled rows themselves when they are too small to pool again.
    /// </summary>
    static Tensor ScreenRows(Tensor pooled)
    {
        long n = pooled.shape[0];
        if (pooled.shape[2] < 2 || pooled.shape[3] < 2) return pooled.reshape(n, -1);
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        return NearestNeighbours.Downsample2x(EvenPart(pooled)).mul_(k[2]).reshape(n, -1).MoveToOuterDisposeScope();
    }

    static Tensor EvenPart(Tensor images) => images.narrow(2, 0, images.shape[2] / 2 * 2).narrow(3, 0, images.shape[3] / 2 * 2);
}
