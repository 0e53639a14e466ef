using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Data;

/// <summary>Pure image transforms on [n, C, H, W] tensors; randomness only through an explicit seed.</summary>
internal static class ImageTransforms
{
    /// <summary>Zero-pads every side by <paramref name="pixels"/> (MNIST 28x28 -> 32x32 with 2).</summary>
    public static Tensor Pad(Tensor images, int pixels)
    {
        if (pixels < 0) throw new ArgumentOutOfRangeException(nameof(pixels), pixels, "must be >= 0");
        return nn.functional.pad(images, [pixels, pixels, pixels, pixels], PaddingModes.Constant, 0);
    }

    /// <summary>
    /// One Bernoulli draw per pixel with probability equal to its intensity. The same seed gives the
    /// same draw, so every model scores the same binarized x_i (fixes METHOD.md defect 4).
    /// </summary>
    public static Tensor Binarize(Tensor images, long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var uniform = rand(images.shape, dtype: ScalarType.Float32, generator: generator);
        using var below = uniform.lt(images);
        return below.to_type(ScalarType.Float32);
    }

    /// <summary>
    /// The draw of <see cref="BinarizeLevels"/> (Bernoulli with probability k / 255 per uint8 level k, the
    /// same uniforms from <paramref name="generator"/>), stored compactly as 8-bit levels {0, 255} (a
    /// quarter of the float32 memory: 61 MB instead of 245 MB for 60,000 padded digits).
    /// </summary>
    public static Tensor BinarizeLevelsToLevels(Tensor levels, Generator generator) =>
        BinarizeLevelsToLevels(levels, rand(levels.shape, dtype: ScalarType.Float32, generator: generator));

    /// <summary>The same with given uniforms of the same shape; consumes (disposes) <paramref name="uniform"/>.</summary>
    public static Tensor BinarizeLevelsToLevels(Tensor levels, Tensor uniform)
    {
        using (uniform)
        {
            using (var probability = LevelsToIntensities(levels))
                uniform.lt_(probability);   // in place: 1 where below, else 0
            var result = uniform.to_type(ScalarType.Byte);
            using var k = new ScalarScope();
            return result.mul_(k[255]);   // in place on the fresh tensor, which is the result
        }
    }

    /// <summary>
    /// Float32 intensities of stored images: uint8 tensors hold 8-bit levels k and become k / 255
    /// (a new tensor); float tensors are returned as they are (the same object).
    /// </summary>
    public static Tensor AsIntensities(Tensor images) => images.dtype == ScalarType.Byte ? LevelsToIntensities(images) : images;

    /// <summary>The 8-bit values k = round(255 x) of intensities x in [0, 1], as uint8.</summary>
    public static Tensor ToLevels(Tensor intensities)
    {
        using var k = new ScalarScope();
        using var scaled = intensities.mul(k[255f]).round_();
        return scaled.to_type(ScalarType.Byte);
    }

    /// <summary>Intensities snapped to the 8-bit grid, k / 255, float32 (the input of discrete likelihoods).</summary>
    public static Tensor QuantizeTo8Bit(Tensor intensities)
    {
        using var levels = ToLevels(intensities);
        return LevelsToIntensities(levels);
    }

    public static Tensor LevelsToIntensities(Tensor levels)
    {
        using var k = new ScalarScope();
        var values = levels.to_type(ScalarType.Float32);
        return values.div_(k[255f]);   // in-place ops return the same tensor: it must not be disposed here
    }

    /// <summary>
    /// Uniform dequantization of intensities x (k = round(255 x)): (k + u) / 256 with u ~ U(0, 1) from
    /// a generator seeded by <paramref name="seed"/> (METHOD.md section 4).
    /// </summary>
    public static Tensor Dequantize(Tensor intensities, long seed)
    {
        using var generator = new Generator((ulong)seed);
        return Dequantize(intensities, generator);
    }

    /// <summary>The same with draws from <paramref name="generator"/>.</summary>
    public static Tensor Dequantize(Tensor intensities, Generator generator)
    {
        using var levels = ToLevels(intensities);
        return DequantizeLevels(levels, generator);
    }

    /// <summary>(k + u) / 256 for uint8 levels k, u drawn from <paramref name="generator"/>.</summary>
    public static Tensor DequantizeLevels(Tensor levels, Generator generator) =>
        DequantizeLevels(levels, rand(levels.shape, dtype: ScalarType.Float32, generator: generator));

    /// <summary>The same with given uniforms of the same shape; the result is <paramref name="uniform"/>, changed in place.</summary>
    public static Tensor DequantizeLevels(Tensor levels, Tensor uniform)
    {
        using var k = new ScalarScope();
        return uniform.add_(levels, k.One).div_(k[256f]);
    }

    /// <summary>
    /// The rows <paramref name="keep"/> (ascending) of what rand(<paramref name="shape"/>, generator) would draw, drawn in slices
    /// of rows so the whole block is never held. libtorch fills a CPU tensor with uniforms one element after another from the
    /// generator (a serial kernel), so consecutive slices continue the same stream as one call (ImageTransformsTests checks it).
    /// </summary>
    public static Tensor UniformRows(long[] shape, int[] keep, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(keep);
        long total = shape[0];
        if (keep.Length == total) return rand(shape, dtype: ScalarType.Float32, generator: generator);
        const long SliceRows = 4096;
        var parts = new List<Tensor>();
        try
        {
            int next = 0;
            for (long start = 0; start < total; start += SliceRows)
            {
                long rows = Math.Min(SliceRows, total - start);
                using var slice = rand([rows, .. shape[1..]], dtype: ScalarType.Float32, generator: generator);
                int first = next;
                while (next < keep.Length && keep[next] < start + rows) next++;
                if (next == first) continue;
                using var index = tensor(keep[first..next].Select(i => i - start).ToArray());
                parts.Add(slice.index_select(0, index));
            }
            return cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    /// <summary>Bernoulli draw per pixel with probability k / 255 for uint8 levels k.</summary>
    public static Tensor BinarizeLevels(Tensor levels, Generator generator)
    {
        using var uniform = rand(levels.shape, dtype: ScalarType.Float32, generator: generator);
        using var probability = LevelsToIntensities(levels);
        using var below = uniform.lt(probability);
        return below.to_type(ScalarType.Float32);
    }

    /// <summary>Flips each image of [n, C, H, W] left-right with probability 1/2, one draw per image (METHOD.md defect 5).</summary>
    public static Tensor FlipEachHorizontally(Tensor images, Generator generator)
    {
        using var coin = rand([images.shape[0], 1, 1, 1], dtype: ScalarType.Float32, generator: generator);
        using var k = new ScalarScope();
        using var flipMask = coin.lt(k[0.5f]);
        using var flipped = images.flip(3);
        return where(flipMask, flipped, images);
    }

    /// <summary>Keeps <paramref name="count"/> examples chosen uniformly at random by seed, in their original order.</summary>
    public static int[] SeededSubset(int total, int count, long seed)
    {
        if (count < 1 || count > total)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"must be in 1..{total}");
        var chosen = new SplitMix64(seed).Permutation(total).Take(count).ToArray();
        Array.Sort(chosen);
        return chosen;
    }
}
