using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Data;

/// <summary>Pure image transforms on [n, C, H, W] tensors; randomness only through an explicit seed.</summary>
public static class ImageTransforms
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
