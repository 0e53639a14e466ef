using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Analysis;

/// <summary>Per query row: Euclidean distance to its nearest reference row and that row's index.</summary>
internal sealed record NearestNeighbourResult(double[] Distance, int[] Index);

/// <summary>
/// Exact brute-force nearest neighbours, batched over query and reference chunks.
/// Every query row gets its own minimum (the reference code kept the first row of each batch:
/// METHOD.md section 6, defect 1).
/// </summary>
/// <remarks>
/// Each block screens candidates with float32 |b|^2 - 2 a.b (one matmul; |a|^2 is the same for the
/// whole row and does not change which references are near the row minimum), then recomputes
/// the squared distance of every candidate as sum_k (a_k - b_k)^2 in float64 and keeps the smallest
/// (lowest index among equal ones). A candidate is every reference whose screened value lies
/// within a rounding bound of the row's screened minimum; the bound covers the float32 rounding of
/// the inputs, the norm and the dot product (each below ~(D + 2) u (|a|^2 + |b|^2), u = 2^-24),
/// so the true nearest row is always a candidate. The answer is therefore the argmin of the float64
/// distances, identical for every chunk size; it can differ from the true nearest row only when
/// their squared distances agree to ~D 2^-53 relative. Exact duplicates in the references become
/// candidates together, so heavily duplicated references cost more. Assumes the matmul is not run
/// in reduced precision (TF32 off, libtorch's default).
/// </remarks>
internal static class NearestNeighbours
{
    const double Float32Roundoff = 1.0 / (1 << 24);

    /// <summary>
    /// 2x down-sampling of [n, C, H, W] images by 2x2 average pooling: each output pixel is the mean
    /// of a non-overlapping 2x2 block. H and W must be even.
    /// </summary>
    public static Tensor Downsample2x(Tensor images)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected [n, C, H, W] images, got shape [{string.Join(", ", images.shape)}]", nameof(images));
        if (images.shape[2] % 2 != 0 || images.shape[3] % 2 != 0)
            throw new ArgumentException($"height and width must be even, got {images.shape[2]}x{images.shape[3]}", nameof(images));
        return nn.functional.avg_pool2d(images, 2, 2);
    }

    /// <summary>
    /// Nearest row of <paramref name="references"/> for every row of <paramref name="queries"/>
    /// (both [n, ...], flattened per row). Memory per block: queryChunk x referenceChunk floats.
    /// </summary>
    public static NearestNeighbourResult Search(Tensor queries, Tensor references, int queryChunk = 2048, int referenceChunk = 4096)
    {
        if (queryChunk < 1) throw new ArgumentOutOfRangeException(nameof(queryChunk), queryChunk, "must be >= 1");
        if (referenceChunk < 1) throw new ArgumentOutOfRangeException(nameof(referenceChunk), referenceChunk, "must be >= 1");
        if (references.shape.Length == 0 || references.shape[0] == 0) throw new ArgumentException("need at least one reference row", nameof(references));
        if (queries.shape.Length == 0) throw new ArgumentException("queries must have a row dimension", nameof(queries));
        int n = (int)queries.shape[0], m = (int)references.shape[0];
        long width = references.numel() / m;
        if (n > 0 && queries.numel() / n != width)
            throw new ArgumentException($"queries have {queries.numel() / n} values per row, references {width}", nameof(queries));

        var best = new Best(n);
        if (n == 0) return best.ToResult();
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var reference32 = references.reshape(m, width).to_type(ScalarType.Float32);
        var referenceNorms = reference32.pow(k[2]).sum(1);
        var minusTwoReference32 = reference32.mul(k[-2]);   // exact scaling, saves a pass over every block
        var referenceValues = Float64Values(references);
        var query32 = queries.reshape(n, width).to_type(ScalarType.Float32);
        var queryAll = queries.reshape(n, width);
        for (int q0 = 0; q0 < n; q0 += queryChunk)
        {
            int qLength = Math.Min(queryChunk, n - q0);
            using var queryScope = NewDisposeScope();
            var queryBlock = query32.narrow(0, q0, qLength);
            var queryNorms = queryBlock.pow(k[2]).sum(1);
            var queryValues = Float64Values(queryAll.narrow(0, q0, qLength));
            for (int r0 = 0; r0 < m; r0 += referenceChunk)
            {
                int rLength = Math.Min(referenceChunk, m - r0);
                using var blockScope = NewDisposeScope();
                var candidates = Candidates(queryBlock, queryNorms, minusTwoReference32.narrow(0, r0, rLength), referenceNorms.narrow(0, r0, rLength), (int)width, k);
                for (int c = 0; c < candidates.Length; c += 2)
                {
                    int row = (int)candidates[c], column = r0 + (int)candidates[c + 1];
                    best.Offer(q0 + row, column, SquaredDistance(queryValues, row, referenceValues, column, (int)width));
                }
            }
        }
        return best.ToResult();
    }

    /// <summary>
    /// (row, column) pairs, flattened, whose screened squared distance is within the rounding bound of
    /// the row minimum. The screen leaves out |q|^2: a per-row constant changes neither the row
    /// minimum's position nor the differences compared with the bound.
    /// </summary>
    static long[] Candidates(Tensor queries, Tensor queryNorms, Tensor minusTwoReferences, Tensor referenceNorms, int width, ScalarScope k)
    {
        var screened = queries.mm(minusTwoReferences.t()).add_(referenceNorms.unsqueeze(0), k.One);
        var rowMinimum = screened.amin([1]);
        double bound = (4.0 * width + 24) * Float32Roundoff;
        var slack = queryNorms.add(referenceNorms.max(), k.One).mul_(k[bound]);
        var mask = screened.le(rowMinimum.add_(slack, k.One).unsqueeze(1));
        return mask.nonzero().cpu().data<long>().ToArray();
    }

    static double[] Float64Values(Tensor rows)
    {
        var values = rows.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        if (!values.All(double.IsFinite)) throw new ArgumentException("rows contain NaN or infinite values");
        return values;
    }

    /// <summary>Squared Euclidean distance of row <paramref name="rowA"/> of a and row <paramref name="rowB"/> of b (width values each), in float64, summed in pixel order.</summary>
    internal static double SquaredDistance(double[] a, int rowA, double[] b, int rowB, int width)
    {
        double sum = 0;
        int offsetA = rowA * width, offsetB = rowB * width;
        for (int k = 0; k < width; k++)
        {
            double difference = a[offsetA + k] - b[offsetB + k];
            sum += difference * difference;
        }
        return sum;
    }

    /// <summary>
    /// rho_i = d(x_i, nearest validation image) / d(x_i, nearest generated image) (METHOD.md section 5):
    /// large rho means a generated image is much closer to x_i than any unseen image. A generated image
    /// equal to x_i gives +Infinity (the strongest copying evidence; <see cref="RhoAnalysis"/> keeps it as
    /// the highest rho and counts it); both distances zero gives NaN.
    /// </summary>
    public static double[] DistanceRatio(IReadOnlyList<double> toValidation, IReadOnlyList<double> toSamples)
    {
        if (toValidation.Count != toSamples.Count) throw new ArgumentException($"{toValidation.Count} validation distances but {toSamples.Count} sample distances");
        return toValidation.Select((v, i) => v / toSamples[i]).ToArray();
    }

    /// <summary>
    /// The nearest-neighbour test of METHOD.md section 5: every training image's rho, on 2x
    /// down-sampled images. <paramref name="samples"/> are the model's generated images: the paper
    /// used decoder means against grey-level images (the report's default). The paper generates as many
    /// images as there are validation images (<see cref="SamplesNeeded"/>); that choice is the caller's.
    /// </summary>
    public static NearestNeighbourRatios DistanceRatios(Tensor training, Tensor validation, Tensor samples, int queryChunk = 2048, int referenceChunk = 4096)
    {
        using var scope = NewDisposeScope();
        var queries = Downsample2x(training);
        var toValidation = Search(queries, Downsample2x(validation), queryChunk, referenceChunk);
        var toSamples = Search(queries, Downsample2x(samples), queryChunk, referenceChunk);
        return new NearestNeighbourRatios(DistanceRatio(toValidation.Distance, toSamples.Distance), toValidation, toSamples);
    }

    /// <summary>The paper's rule: as many model samples as validation images, so both distances see equally dense sets.</summary>
    public static int SamplesNeeded(int validationImages) =>
        validationImages >= 1 ? validationImages : throw new ArgumentOutOfRangeException(nameof(validationImages), validationImages, "must be >= 1");

    sealed class Best(int count)
    {
        readonly double[] _squared = Enumerable.Repeat(double.PositiveInfinity, count).ToArray();
        readonly int[] _index = Enumerable.Repeat(-1, count).ToArray();

        public void Offer(int row, int column, double squared)
        {
            if (squared < _squared[row] || (squared == _squared[row] && column < _index[row]))
            {
                _squared[row] = squared;
                _index[row] = column;
            }
        }

        public NearestNeighbourResult ToResult() => new(_squared.Select(Math.Sqrt).ToArray(), _index);
    }
}

/// <summary>rho per training image with the two searches behind it (indices let a report show the nearest sample).</summary>
internal sealed record NearestNeighbourRatios(double[] Rho, NearestNeighbourResult ToValidation, NearestNeighbourResult ToSamples);
