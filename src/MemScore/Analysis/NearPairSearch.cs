using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Analysis;

/// <summary>
/// Exact fixed-radius search behind <see cref="NearDuplicates"/>: for each row of a block (rows visited in index
/// order), every earlier row of the pool (rows kept so far plus the block itself) whose Euclidean distance is
/// within the radius. Only a band of the pool is searched: |‖a‖ - ‖b‖| &lt;= ‖a - b‖ (triangle inequality), so rows
/// whose norms differ by more than the radius cannot be near; block rows are taken in order of norm in small groups
/// and each group is compared with the pool rows of norm within its range widened by the radius (one float32
/// matrix product on screening rows, whose distances never exceed the real ones: 4x down-sampled images for
/// <see cref="NearDuplicates"/>). A pair passes that screen when its float32 squared screening distance is within the
/// squared radius plus a rounding bound (the bound of <see cref="NearestNeighbours"/>, which covers the float32 rounding
/// of the inputs, the norms and the dot product), so no pair within the radius is missed. On the first 8,000
/// Fashion-MNIST images at RMS 0.03 the norm band holds 12% of the pairs and the screen passes 5e-6 of them. The
/// caller measures the pairs it needs again in float64 (<see cref="SquaredDistance"/>, summed in pixel order as
/// <see cref="NearestNeighbours.Search"/> sums it) and decides.
/// </summary>
internal sealed class NearPairSearch : IDisposable
{
    const double Float32Roundoff = 1.0 / (1 << 24);
    const int GroupRows = 128;

    readonly double[] _values;
    readonly double[] _norms;
    readonly double _largestNorm;
    readonly int _width, _screenWidth;
    readonly double _radius;
    readonly Tensor _rows32, _squaredNorms32;
    int[] _kept = [];   // rows kept so far, ascending by (norm, row)

    /// <param name="features">[n, D] float64 rows.</param>
    /// <param name="screen">[n, D'] float64 rows whose pairwise distances are at most those of <paramref name="features"/> (a cheaper screen).</param>
    /// <param name="radius">Euclidean radius (not RMS): a pair at distance sqrt(squared) &lt;= radius is near.</param>
    public NearPairSearch(Tensor features, Tensor screen, double radius)
    {
        int n = (int)features.shape[0];
        _width = (int)features.shape[1];
        _screenWidth = (int)screen.shape[1];
        _radius = radius;
        _values = features.contiguous().data<double>().ToArray();
        if (!_values.All(double.IsFinite)) throw new ArgumentException("rows contain NaN or infinite values", nameof(features));
        _norms = Enumerable.Range(0, n).Select(i => Math.Sqrt(SquaredDistanceToZero(i))).ToArray();
        _largestNorm = n == 0 ? 0 : _norms.Max();
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        _rows32 = screen.to_type(ScalarType.Float32).contiguous().DetachFromDisposeScope();   // owned here, freed by Dispose
        _squaredNorms32 = _rows32.pow(k[2]).sum(1).DetachFromDisposeScope();
    }

    /// <summary>
    /// Per row of the block [start, start + length): its earlier pool rows that pass the screen, in no particular order;
    /// a superset of those within the radius.
    /// </summary>
    public List<int>[] Candidates(int start, int length)
    {
        var near = Enumerable.Range(0, length).Select(_ => new List<int>()).ToArray();
        var block = Enumerable.Range(start, length).OrderBy(r => _norms[r]).ThenBy(r => r).ToArray();
        var pool = Merge(_kept, block);
        var poolNorms = pool.Select(r => _norms[r]).ToArray();
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var poolIndex = tensor(pool.Select(r => (long)r).ToArray());
        var poolMinusTwo = _rows32.index_select(0, poolIndex).mul_(k[-2]);   // exact scaling
        var poolSquared = _squaredNorms32.index_select(0, poolIndex);
        // Each float64 norm is within (D + 2) 2^-53 of its value relative to the largest; twice that covers a difference of two.
        double reach = _radius * (1 + 1e-9) + 2 * (_width + 2) * Math.Pow(2, -53) * _largestNorm;
        for (int g0 = 0; g0 < block.Length; g0 += GroupRows)
        {
            var group = block.AsSpan(g0, Math.Min(GroupRows, block.Length - g0)).ToArray();
            int lo = LowerBound(poolNorms, _norms[group[0]] - reach), hi = UpperBound(poolNorms, _norms[group[^1]] + reach);
            foreach (var (a, b) in Screened(group, poolMinusTwo.narrow(0, lo, hi - lo), poolSquared.narrow(0, lo, hi - lo), k))
            {
                int row = group[a], other = pool[lo + b];
                if (other < row) near[row - start].Add(other);
            }
        }
        return near;
    }

    /// <summary>Adds the rows kept from the last block to the pool of later blocks.</summary>
    public void Keep(IEnumerable<int> rows) => _kept = Merge(_kept, rows.OrderBy(r => _norms[r]).ThenBy(r => r).ToArray());

    /// <summary>(group row, band column) pairs whose float32 squared distance is within the squared radius plus the rounding bound.</summary>
    IEnumerable<(int, int)> Screened(int[] group, Tensor bandMinusTwo, Tensor bandSquared, ScalarScope k)
    {
        if (bandMinusTwo.shape[0] == 0) return [];
        using var scope = NewDisposeScope();
        var index = tensor(group.Select(r => (long)r).ToArray());
        var groupSquared = _squaredNorms32.index_select(0, index);
        var screened = _rows32.index_select(0, index).mm(bandMinusTwo.t()).add_(bandSquared.unsqueeze(0), k.One).add_(groupSquared.unsqueeze(1), k.One);
        double bound = (4.0 * _screenWidth + 24) * Float32Roundoff;
        var limit = groupSquared.add(bandSquared.max(), k.One).mul_(k[bound]).add_(k[_radius * _radius * (1 + 1e-9)], k.One);
        var pairs = screened.le(limit.unsqueeze(1)).nonzero().data<long>().ToArray();
        return Enumerable.Range(0, pairs.Length / 2).Select(p => ((int)pairs[2 * p], (int)pairs[2 * p + 1]));
    }

    int[] Merge(int[] a, int[] b)
    {
        var merged = new int[a.Length + b.Length];
        int i = 0, j = 0, m = 0;
        while (i < a.Length && j < b.Length)
            merged[m++] = Before(a[i], b[j]) ? a[i++] : b[j++];
        while (i < a.Length) merged[m++] = a[i++];
        while (j < b.Length) merged[m++] = b[j++];
        return merged;
    }

    bool Before(int x, int y) => _norms[x] < _norms[y] || (_norms[x] == _norms[y] && x < y);

    static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>Squared Euclidean distance of rows a and b in float64, summed in pixel order.</summary>
    public double SquaredDistance(int a, int b) => NearestNeighbours.SquaredDistance(_values, a, _values, b, _width);

    double SquaredDistanceToZero(int a)
    {
        double sum = 0;
        for (int k = a * _width; k < (a + 1) * _width; k++) sum += _values[k] * _values[k];
        return sum;
    }

    public void Dispose()
    {
        _rows32.Dispose();
        _squaredNorms32.Dispose();
    }
}
