using MemScore.Tests.Support;
using MemScore.Data;
using static TorchSharp.torch;

namespace MemScore.Tests.Data;

[Collection(ProcessGlobalState.Name)]
public class ImageTransformsTests
{
    [Fact]
    public void Pad_adds_zero_border()
    {
        using var images = ones(2, 1, 28, 28);
        using var padded = ImageTransforms.Pad(images, 2);
        Assert.Equal([2L, 1, 32, 32], padded.shape);
        Assert.Equal(28 * 28 * 2, padded.sum().item<float>());
        Assert.Equal(0f, padded[0, 0, 0, 0].item<float>());
        Assert.Equal(1f, padded[0, 0, 2, 2].item<float>());
    }

    [Fact]
    public void Binarize_is_seeded_and_has_the_right_mean()
    {
        using var images = full(1, 1, 200, 200, 0.3f);
        using var a = ImageTransforms.Binarize(images, 5);
        using var b = ImageTransforms.Binarize(images, 5);
        using var c = ImageTransforms.Binarize(images, 6);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
        using var values = a.unique().output;
        Assert.Equal([0f, 1f], values.data<float>().ToArray());
        // 40,000 Bernoulli(0.3) draws: sd of the mean = 0.0023; 6 sd bound.
        Assert.InRange(a.mean().item<float>(), 0.3 - 0.014, 0.3 + 0.014);
    }

    [Fact]
    public void Binarize_keeps_exact_zeros_and_ones()
    {
        using var images = tensor(new float[] { 0, 1, 0, 1 }, [1, 1, 2, 2]);
        using var b = ImageTransforms.Binarize(images, 9);
        Assert.Equal(new float[] { 0, 1, 0, 1 }, b.data<float>().ToArray());
    }

    [Fact]
    public void Seeded_subset_is_sorted_unique_and_reproducible()
    {
        var a = ImageTransforms.SeededSubset(100, 30, 1);
        Assert.Equal(a, ImageTransforms.SeededSubset(100, 30, 1));
        Assert.NotEqual(a, ImageTransforms.SeededSubset(100, 30, 2));
        Assert.Equal(30, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageTransforms.SeededSubset(10, 11, 1));
    }
}
