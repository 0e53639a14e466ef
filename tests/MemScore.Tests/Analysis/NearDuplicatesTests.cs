using MemScore.Analysis;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Tests.Analysis;

public class NearDuplicatesTests
{
    const int Side = 8;

    /// <summary>n uniform [0, 1] images of 1 x 8 x 8 (seeded).</summary>
    static float[] UniformImages(int n, long seed)
    {
        var rng = new SplitMix64(seed);
        return Enumerable.Range(0, n * Side * Side).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    /// <summary>Copies image <paramref name="from"/> onto <paramref name="to"/> with every pixel moved by +-<paramref name="jitter"/> (seeded signs).</summary>
    static void Plant(float[] pixels, int from, int to, float jitter, long seed)
    {
        var rng = new SplitMix64(seed);
        for (int k = 0; k < Side * Side; k++)
            pixels[to * Side * Side + k] = pixels[from * Side * Side + k] + (rng.NextDouble() < 0.5 ? -jitter : jitter);
    }

    [Fact]
    public void Planted_duplicates_are_found_and_unique_images_are_not()
    {
        // Known truth: 300 uniform noise images (nearest RMS distance between two such images after 2x2 pooling
        // is ~0.2), with 12 planted pairs and one planted group of three, each copy jittered by +-0.02 per pixel
        // (RMS <= 0.02 after pooling). A threshold of 0.05 lies far from both.
        var pixels = UniformImages(300, seed: 11);
        var planted = new Dictionary<int, int>();
        for (int p = 0; p < 12; p++) planted[100 + p * 15] = 3 + p * 7;
        planted[280] = 40; planted[295] = 40;
        foreach (var (copy, original) in planted) Plant(pixels, original, copy, 0.02f, seed: copy);
        using var images = tensor(pixels, [300, 1, Side, Side]);

        var result = NearDuplicates.Find(images, threshold: 0.05);

        Assert.Equal(planted.Keys.Order(), result.Removed.Select(d => d.Removed));
        Assert.All(result.Removed, d => Assert.Equal(planted[d.Removed], d.Kept));
        Assert.All(result.Removed, d => Assert.InRange(d.Distance, 0.0, 0.0200001));   // the jitter bounds the pooled RMS; float32 pixels
        Assert.Equal(300 - planted.Count, result.Kept.Length);
        Assert.Equal([40, 280, 295], result.Groups()[0]);
        Assert.Equal(12 * 2 + 3, result.Duplicated().Count(d => d));
    }

    /// <summary>The rule written as a plain loop: 2x2 means, then each row against every earlier kept row in float64.</summary>
    static NearDuplicate[] Naive(float[] pixels, int n, double threshold)
    {
        const int half = Side / 2, width = half * half;
        var features = new double[n * width];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                    features[i * width + y / 2 * half + x / 2] += pixels[i * Side * Side + y * Side + x] / 4.0;
        var kept = new List<int>();
        var removed = new List<NearDuplicate>();
        for (int i = 0; i < n; i++)
        {
            double best = double.PositiveInfinity;
            int nearest = -1;
            foreach (int j in kept)
            {
                double sum = 0;
                for (int k = 0; k < width; k++) sum += Math.Pow(features[i * width + k] - features[j * width + k], 2);
                if (sum < best) (best, nearest) = (sum, j);
            }
            if (Math.Sqrt(best / width) <= threshold) removed.Add(new NearDuplicate(i, nearest, Math.Sqrt(best / width)));
            else kept.Add(i);
        }
        return [.. removed];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(256)]
    public void Matches_the_plain_loop_for_every_block_size(int blockRows)
    {
        // 150 images of 4 grey levels: many near and exact ties and chains, so the order of visits matters.
        var rng = new SplitMix64(5);
        var pixels = Enumerable.Range(0, 150 * Side * Side).Select(_ => (float)(rng.NextDouble() < 0.9 ? 0 : rng.NextInt(4) / 3.0)).ToArray();
        using var images = tensor(pixels, [150, 1, Side, Side]);
        const double threshold = 0.12;

        var result = NearDuplicates.Find(images, threshold, blockRows);
        var expected = Naive(pixels, 150, threshold);

        Assert.True(expected.Length is > 10 and < 140, $"the data should give some but not all duplicates, got {expected.Length}");
        Assert.Equal(expected.Select(d => (d.Removed, d.Kept)), result.Removed.Select(d => (d.Removed, d.Kept)));
        // Pooling in torch and here sum the same four terms in another order: 1e-12 bounds that float64 round-off.
        Assert.All(expected.Zip(result.Removed), p => Assert.Equal(p.First.Distance, p.Second.Distance, 1e-12));
        Assert.Equal(Enumerable.Range(0, 150).Except(expected.Select(d => d.Removed)), result.Kept);
    }

    [Fact]
    public void Threshold_zero_removes_exact_copies_only_and_odd_sizes_drop_the_last_row_and_column()
    {
        var pixels = UniformImages(4, seed: 3).Take(4 * 49).ToArray();   // 4 images of 7 x 7
        Array.Copy(pixels, 0, pixels, 2 * 49, 49);
        pixels[3 * 49 + 48] = pixels[0];                                    // image 3 differs from image 1 ...
        Array.Copy(pixels, 49, pixels, 3 * 49, 48);                          // ... only in its last pixel, which pooling leaves out
        using var images = tensor(pixels, [4, 1, 7, 7]);

        var result = NearDuplicates.Find(images, threshold: 0);

        Assert.Equal([(2, 0, 0.0), (3, 1, 0.0)], result.Removed.Select(d => (d.Removed, d.Kept, d.Distance)));
    }

    [Fact]
    public void A_pair_exactly_at_the_threshold_is_a_duplicate_and_one_just_beyond_is_not()
    {
        // Images 1 and 2 differ from image 0 by exactly 0.25 and 0.375 in every pixel (all values k/8, exact in float32 and
        // float64): pooled RMS distances 0.25 and 0.375 exactly, and 0.125 between 1 and 2. The screen's float32 rounding must
        // not drop the pair at the threshold.
        var pixels = new float[3 * Side * Side];
        for (int k = 0; k < Side * Side; k++) (pixels[k], pixels[Side * Side + k], pixels[2 * Side * Side + k]) = ((k % 3) / 8f, (k % 3 + 2) / 8f, (k % 3 + 3) / 8f);
        using var images = tensor(pixels, [3, 1, Side, Side]);

        Assert.Equal([(1, 0, 0.25)], NearDuplicates.Find(images, threshold: 0.25).Removed.Select(d => (d.Removed, d.Kept, d.Distance)));
        Assert.Equal([(1, 0, 0.25), (2, 0, 0.375)], NearDuplicates.Find(images, threshold: 0.375).Removed.Select(d => (d.Removed, d.Kept, d.Distance)));
        Assert.Equal([(2, 1, 0.125)], NearDuplicates.Find(images, threshold: 0.2499).Removed.Select(d => (d.Removed, d.Kept, d.Distance)));   // 1 kept now
    }

    [Fact]
    public void Images_too_small_to_pool_twice_are_screened_on_the_pooled_images()
    {
        // 2x2 and 3x3 images pool to 1x1: the screen falls back to the pooled values. Expected by the rule on those values
        // (one mean per image; an odd last row and column left out). Pixels k/8: every mean and difference is exact, so ties
        // (lowest index wins) are real ties.
        var rng = new SplitMix64(9);
        foreach (int side in new[] { 2, 3 })
        {
            var pixels = Enumerable.Range(0, 80 * side * side).Select(_ => (float)(rng.NextInt(9) / 8.0)).ToArray();
            using var images = tensor(pixels, [80, 1, side, side]);
            var means = Enumerable.Range(0, 80).Select(i => ((double)pixels[i * side * side] + pixels[i * side * side + 1] + pixels[i * side * side + side] + pixels[i * side * side + side + 1]) / 4).ToArray();
            var kept = new List<int>();
            var expected = new List<(int, int)>();
            for (int i = 0; i < 80; i++)
            {
                int nearest = kept.Where(j => Math.Abs(means[i] - means[j]) <= 0.07).OrderBy(j => Math.Abs(means[i] - means[j])).ThenBy(j => j).FirstOrDefault(-1);
                if (nearest >= 0) expected.Add((i, nearest)); else kept.Add(i);
            }

            var result = NearDuplicates.Find(images, threshold: 0.07);

            Assert.True(expected.Count is > 5 and < 80, $"{side}x{side}: the data should give some but not all duplicates, got {expected.Count}");
            Assert.Equal(expected, result.Removed.Select(d => (d.Removed, d.Kept)));
        }
    }

    [Fact]
    public void Refuses_a_negative_or_nan_threshold()
    {
        using var images = zeros(2, 1, 4, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => NearDuplicates.Find(images, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NearDuplicates.Find(images, double.NaN));
    }
}
