using MemScore.Tests.Support;
using MemScore.Configuration;
using MemScore.Data;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Tests.Data;

/// <summary>
/// One padding order for scoring and training: pad the 8-bit image, then draw the noise over every pixel.
/// A padded pixel must therefore be the same kind of value in a scored image and in a training batch.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class PaddingOrderTests
{
    const int Images = 40, Side = 4, PadTo = 8;

    /// <summary>40 grey 4x4 images with levels 1..254 (never 0, so every 0 level of the padded image is padding).</summary>
    sealed class GreyProvider : IDatasetProvider
    {
        public string Name => "grey-squares";
        public string Description => "test images";
        public ImageDataset Load(DatasetRequest request)
        {
            var levels = Enumerable.Range(0, Images * Side * Side).Select(i => (byte)(1 + i * 37 % 254)).ToArray();
            return ImageDataset.FromBytes(Name, levels, [Images, 1, Side, Side], new int[Images], Enumerable.Range(0, Images).ToArray());
        }
    }

    static ExperimentConfig Config => new() { Dataset = "grey-squares", PadTo = PadTo, Folds = 2, Seed = 5 };

    static ExperimentData Prepare(InputKind input, bool greyLevels = false) =>
        ExperimentData.Prepare(Config, new DatasetRegistry().Add(new GreyProvider()), Path.GetTempPath(), input, greyLevels: greyLevels);

    /// <summary>Values of the padding border (pixels outside the central 4x4) of [n, 1, 8, 8] images.</summary>
    static float[] Border(Tensor images)
    {
        using var mask = ones([PadTo, PadTo], dtype: ScalarType.Bool);
        int from = (PadTo - Side) / 2;
        mask[TensorIndex.Slice(from, from + Side), TensorIndex.Slice(from, from + Side)] = tensor(false);
        using var expanded = mask.expand(images.shape);
        using var values = images.masked_select(expanded);
        return values.data<float>().ToArray();
    }

    /// <summary>Two-sample Kolmogorov-Smirnov statistic sup |F_a - F_b|.</summary>
    static double KolmogorovSmirnov(float[] a, float[] b)
    {
        var sa = a.Order().ToArray();
        var sb = b.Order().ToArray();
        int i = 0, j = 0;
        double d = 0;
        while (i < sa.Length && j < sb.Length)
        {
            float v = Math.Min(sa[i], sb[j]);
            while (i < sa.Length && sa[i] == v) i++;
            while (j < sb.Length && sb[j] == v) j++;
            d = Math.Max(d, Math.Abs((double)i / sa.Length - (double)j / sb.Length));
        }
        return d;
    }

    [Fact]
    public void Dequantized_scored_and_training_images_have_the_same_padded_pixel_distribution()
    {
        using var data = Prepare(InputKind.Dequantized);
        var batches = TrainingBatches.For(data, Config);
        using var rows = arange(Images, dtype: ScalarType.Int64);
        using var generator = new Generator(77);
        using var trained = batches.Make(rows, generator);
        using var scored = data.ScoredRows(Enumerable.Range(0, Images).ToArray());
        var scoredBorder = Border(scored);
        var trainedBorder = Border(trained);
        Assert.Equal(Images * (PadTo * PadTo - Side * Side), scoredBorder.Length);

        // Both are level 0 dequantized: U(0, 1/256). Scheme 1 scored them as exactly 0.
        Assert.All(scoredBorder, v => Assert.InRange(v, 0f, 1f / 256));
        Assert.All(trainedBorder, v => Assert.InRange(v, 0f, 1f / 256));
        // Mean of 1,920 U(0, 1/256) values: 1/512, sd 1/256 / sqrt(12 * 1920) = 2.6e-5; 6 sd bound.
        Assert.InRange(scoredBorder.Average(), 1.0 / 512 - 1.6e-4, 1.0 / 512 + 1.6e-4);
        // Two-sample KS on 1,920 + 1,920 values: P(D > 1.95 sqrt(2 / 1920) = 0.063) < 1e-3 for equal
        // distributions (Kolmogorov limit 2 e^{-2 * 1.95^2} = 1e-3); the draws are seeded, so the test is fixed.
        double d = KolmogorovSmirnov(scoredBorder, trainedBorder);
        Assert.True(d < 0.063, $"KS distance {d:F4} between scored and training padded pixels");
    }

    [Fact]
    public void Dequantized_scored_padding_and_interior_come_from_the_same_draw_of_the_padded_image()
    {
        // The interior keeps its own 8-bit cell; the border is level 0's cell.
        using var data = Prepare(InputKind.Dequantized, greyLevels: true);
        var all = Enumerable.Range(0, Images).ToArray();
        using var scored = data.ScoredRows(all);
        using var grey = data.GreyRows(all);
        // Cell of level k: [k/256, (k+1)/256] (float32 rounding of k + u can reach the upper edge).
        using var level = grey.mul(255).round_();
        using var lower = level.div(256);
        using var upper = level.add(1).div_(256);
        using var inside = scored.ge(lower).logical_and_(scored.le(upper));
        Assert.True(inside.all().item<bool>(), "every scored pixel lies in the 8-bit cell of its grey level (padding: level 0)");
    }

    [Fact]
    public void Binary_scored_and_training_padding_are_zero_and_grey_rows_keep_the_levels()
    {
        var config = Config with { TrainBinarization = "dynamic" };
        using var data = ExperimentData.Prepare(config, new DatasetRegistry().Add(new GreyProvider()), Path.GetTempPath(), InputKind.Binary, greyLevels: true);
        var batches = TrainingBatches.For(data, config);
        using var rows = arange(Images, dtype: ScalarType.Int64);
        using var generator = new Generator(78);
        using var trained = batches.Make(rows, generator);
        var all = Enumerable.Range(0, Images).ToArray();
        using var scored = data.ScoredRows(all);
        Assert.All(Border(scored), v => Assert.Equal(0f, v));
        Assert.All(Border(trained), v => Assert.Equal(0f, v));
        using var values = scored.unique().output;
        Assert.Equal([0f, 1f], values.data<float>().ToArray());
        // The grey-level images (for the sample-based tests) are k / 255 of the source, padded with 0.
        using var grey = data.GreyRows([0]);
        Assert.Equal(1f / 255, grey[0, 0, 2, 2].item<float>(), 6);
        Assert.Equal(0f, grey[0, 0, 0, 0].item<float>());
    }
}
