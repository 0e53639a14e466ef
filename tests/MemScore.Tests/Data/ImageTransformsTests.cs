using MemScore.Tests.Support;
using MemScore.Data;
using static TorchSharp.torch;

namespace MemScore.Tests.Data;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
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

    // Exact equality: the kept rows must be the very uniforms one rand call over the whole block draws (an example's
    // evaluation draw must not depend on --limit). The shapes cross the 4,096-row slices, keep none of a slice, and keep all.
    [Theory]
    [InlineData(10_000, new[] { 0, 1, 4095, 4096, 4097, 9999 })]
    [InlineData(9_000, new[] { 8191, 8192 })]
    [InlineData(5, new[] { 0, 1, 2, 3, 4 })]
    public void Uniform_rows_are_the_rows_of_one_draw_over_the_whole_block(int rows, int[] keep)
    {
        long[] shape = [rows, 1, 3, 2];
        using var whole = Generator();
        using var all = rand(shape, dtype: ScalarType.Float32, generator: whole);
        using var index = tensor(keep.Select(i => (long)i).ToArray());
        using var expected = all.index_select(0, index);
        using var sliced = Generator();
        using var kept = ImageTransforms.UniformRows(shape, keep, sliced);
        Assert.Equal(expected.shape, kept.shape);
        Assert.True(kept.eq(expected).all().item<bool>());
        using var nextWhole = rand(4, generator: whole);
        using var nextSliced = rand(4, generator: sliced);
        Assert.True(nextWhole.eq(nextSliced).all().item<bool>());   // both consumed the same count of draws
    }

    static TorchSharp.torch.Generator Generator() => new(1234);
}
