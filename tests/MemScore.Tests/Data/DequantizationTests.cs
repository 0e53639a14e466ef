using MemScore.Configuration;
using MemScore.Tests.Support;
using MemScore.Data;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Tests.Data;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class DequantizationTests
{
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static Tensor AllLevels() => arange(256, dtype: ScalarType.Float32).div(255f).reshape(1, 1, 16, 16);

    [Fact]
    public void Dequantize_puts_each_value_inside_its_own_8bit_cell_and_is_seeded()
    {
        using var x = AllLevels();
        using var a = ImageTransforms.Dequantize(x, 7);
        using var b = ImageTransforms.Dequantize(x, 7);
        using var c = ImageTransforms.Dequantize(x, 8);
        var values = a.data<float>().ToArray();
        for (int k = 0; k < 256; k++)
        {
            // Cell of level k is [k/256, (k+1)/256); float32 rounding can reach the upper edge only at k = 255.
            Assert.InRange(values[k], k / 256f, (k + 1) / 256f);
        }
        Assert.True(Same(a, b));
        Assert.False(Same(a, c));
    }

    [Fact]
    public void Levels_round_trip_the_8bit_grid_exactly()
    {
        using var x = AllLevels();
        using var levels = ImageTransforms.ToLevels(x);
        Assert.Equal(ScalarType.Byte, levels.dtype);
        Assert.Equal(Enumerable.Range(0, 256).Select(v => (byte)v).ToArray(), levels.data<byte>().ToArray());
        using var back = ImageTransforms.QuantizeTo8Bit(x);
        Assert.True(Same(back, x));
    }

    [Fact]
    public void Flip_mirrors_whole_images_independently()
    {
        using var images = arange(64 * 2 * 4 * 4, dtype: ScalarType.Float32).reshape(64, 2, 4, 4);
        using var generator = new Generator(3);
        using var flipped = ImageTransforms.FlipEachHorizontally(images, generator);
        using var mirror = images.flip(3);
        int same = 0, mirrored = 0;
        for (int i = 0; i < 64; i++)
        {
            if (Same(flipped[i], images[i])) same++;
            else if (Same(flipped[i], mirror[i])) mirrored++;
        }
        Assert.Equal(64, same + mirrored);   // every image is either untouched or fully mirrored (all channels)
        // Binomial(64, 1/2): P(count < 16 or > 48) < 1e-4, so both kinds occur for any seed in practice; seed 3 is fixed.
        Assert.InRange(mirrored, 16, 48);
    }

    [Fact]
    public void Dequantized_data_scores_one_fixed_draw_and_trains_on_fresh_ones()
    {
        using var x = AllLevels().expand(8, 1, 16, 16).contiguous();
        using var levels = ImageTransforms.ToLevels(x);
        using var data = ExperimentData.FromScored(ImageTransforms.Dequantize(x, 1), InputKind.Dequantized, levels.clone());
        var batches = new TrainingBatches(data, redraw: true, flip: false);
        using var rows = tensor(new long[] { 0, 3 });
        using var g1 = new Generator(10);
        using var g2 = new Generator(11);
        using var first = batches.Make(rows, g1);
        using var second = batches.Make(rows, g2);
        Assert.False(Same(first, second));
        using var cellOfFirst = first.mul(256).floor();
        using var expectedCell = levels.index_select(0, rows).to_type(ScalarType.Float32);
        Assert.True(Same(cellOfFirst, expectedCell));   // fresh noise, same 8-bit values
    }
}
