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
/// Near-duplicate images on 2x down-sampled images: each block of rows is searched against the rows kept before it
/// with the exact nearest-neighbour search (<see cref="NearestNeighbours"/>), and against the rows kept within the
/// block by the same float64 distances written out (a search per row was much slower). Distances are root-mean-square per pixel of the down-sampled images, in the
/// units of the intensities given (for [0, 1] intensities: 0 = identical after down-sampling, 1 = black
/// against white everywhere); RMS = Euclidean distance / sqrt(C (H/2) (W/2)), so the threshold does not
/// depend on the image size. Rows are visited in index order and a row is removed when an earlier kept
/// row lies within the threshold (distance &lt;= threshold); it is listed against the nearest such row
/// (the lowest index among equally near ones). So every removed row is within the threshold of its kept
/// row, no two kept rows are within it, and the first row of each group is kept: deterministic, and
/// independent of the block size.
/// </summary>
internal static class NearDuplicates
{
    public const int DefaultBlockRows = 256;

    /// <param name="images">[n, C, H, W] intensities; an odd last row or column is left out of the 2x2 pooling.</param>
    public static NearDuplicateSet Find(Tensor images, double threshold, int blockRows = DefaultBlockRows)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!(threshold >= 0 && double.IsFinite(threshold))) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be a finite number >= 0");
        if (blockRows < 1) throw new ArgumentOutOfRangeException(nameof(blockRows), blockRows, "must be >= 1");
        int n = (int)images.shape[0];
        using var scope = NewDisposeScope();
        var features = Features(images);
        double scale = Math.Sqrt(features.shape[1]);
        var kept = new List<int>();
        var removed = new List<NearDuplicate>();
        for (int start = 0; start < n; start += blockRows)
        {
            using var blockScope = NewDisposeScope();
            int length = Math.Min(blockRows, n - start);
            var earlier = kept.Count == 0 ? null : NearestNeighbours.Search(features.narrow(0, start, length), Rows(features, kept));
            var values = features.narrow(0, start, length).data<double>().ToArray();
            int width = (int)features.shape[1];
            var blockKept = new List<int>();
            for (int r = 0; r < length; r++)
            {
                var (distance, nearest) = earlier is null ? (double.PositiveInfinity, -1) : (earlier.Distance[r], kept[earlier.Index[r]]);
                foreach (int j in blockKept)
                {
                    double within = Math.Sqrt(SquaredDistance(values, r, j - start, width));
                    if (within < distance) (distance, nearest) = (within, j);   // earlier blocks and lower rows win ties
                }
                if (distance / scale <= threshold) removed.Add(new NearDuplicate(start + r, nearest, distance / scale));
                else blockKept.Add(start + r);
            }
            kept.AddRange(blockKept);
        }
        return new NearDuplicateSet(n, threshold, [.. kept], [.. removed]);
    }

    /// <summary>[n, C (H/2) (W/2)] float64 rows: 2x2 means of the images, an odd last row or column left out.</summary>
    public static Tensor Features(Tensor images)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected [n, C, H, W] images, got shape [{string.Join(", ", images.shape)}]", nameof(images));
        if (images.shape[2] < 2 || images.shape[3] < 2) throw new ArgumentException($"images of {images.shape[2]}x{images.shape[3]} are too small to down-sample 2x", nameof(images));
        using var scope = NewDisposeScope();
        var even = images.narrow(2, 0, images.shape[2] / 2 * 2).narrow(3, 0, images.shape[3] / 2 * 2).to_type(ScalarType.Float64);
        var pooled = NearestNeighbours.Downsample2x(even);
        return pooled.reshape(pooled.shape[0], -1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Squared Euclidean distance of two rows of a block, summed in float64 in pixel order as <see cref="NearestNeighbours.Search"/> sums it.</summary>
    static double SquaredDistance(double[] values, int a, int b, int width)
    {
        double sum = 0;
        for (int k = 0; k < width; k++)
        {
            double difference = values[a * width + k] - values[b * width + k];
            sum += difference * difference;
        }
        return sum;
    }

    static Tensor Rows(Tensor features, List<int> rows)
    {
        using var index = tensor(rows.Select(r => (long)r).ToArray());
        return features.index_select(0, index);
    }
}
