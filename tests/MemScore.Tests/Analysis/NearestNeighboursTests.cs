using MemScore.Tests.Support;
using MemScore.Analysis;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Tests.Analysis;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class NearestNeighboursTests
{
    static float[] Uniform(int count, long seed)
    {
        var rng = new SplitMix64(seed);
        return Enumerable.Range(0, count).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    /// <summary>The plain double loop: float64 squared distances, strict "less than" keeps the lowest index among ties.</summary>
    static (double[] Distance, int[] Index) Naive(float[] queries, float[] references, int width)
    {
        int n = queries.Length / width, m = references.Length / width;
        var distance = new double[n];
        var index = new int[n];
        for (int i = 0; i < n; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < m; j++)
            {
                double sum = 0;
                for (int k = 0; k < width; k++)
                {
                    double d = (double)queries[i * width + k] - references[j * width + k];
                    sum += d * d;
                }
                if (sum < best) { best = sum; index[i] = j; }
            }
            distance[i] = Math.Sqrt(best);
        }
        return (distance, index);
    }

    [Fact]
    public void Search_matches_the_naive_double_loop_on_200_random_points()
    {
        const int width = 17;
        var queries = Uniform(200 * width, 1);
        var references = Uniform(150 * width, 2);
        // Plant exact copies and an exact tie: query 5 equals reference 40 and reference 90.
        Array.Copy(references, 40 * width, queries, 5 * width, width);
        Array.Copy(references, 40 * width, references, 90 * width, width);
        using var q = tensor(queries, [200, width]);
        using var r = tensor(references, [150, width]);

        var result = NearestNeighbours.Search(q, r, queryChunk: 64, referenceChunk: 32);
        var (distance, index) = Naive(queries, references, width);

        Assert.Equal(index, result.Index);
        // Both sum the same float64 terms in the same order, so they agree exactly.
        Assert.Equal(distance, result.Distance);
        Assert.Equal(40, result.Index[5]);
        Assert.Equal(0.0, result.Distance[5]);
    }

    // Offsets from a query with squared lengths 7..10: near ties, and exact ties within each length.
    static readonly int[][] TieOffsets =
    [
        [3], [2, 2, 1], [0, 3], [2, 0, 2, 1], [2, 2], [0, 2, 2], [1, 3], [2, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1], [2, 1, 1, 1],
    ];

    /// <summary>
    /// Integer coordinates in 2000..4000 (exact in float32 and float64) give |q|^2 ~ 1e8, where float32
    /// steps are 8: screened squared distances 7..10 are scrambled by rounding (PyTorch's float32 gives
    /// values like 0 and -32 for them), so only the float64 recomputation can rank them.
    /// </summary>
    static (float[] Queries, float[] References) NearTieGroups(int groups, int width, long seed)
    {
        var rng = new SplitMix64(seed);
        var queries = new List<float>();
        var references = new List<float>();
        for (int g = 0; g < groups; g++)
        {
            var q = Enumerable.Range(0, width).Select(_ => (float)(2000 + rng.NextInt(2001))).ToArray();
            queries.AddRange(q);
            foreach (int o in rng.Permutation(TieOffsets.Length))
            {
                int sign = rng.NextInt(2) * 2 - 1;
                references.AddRange(q.Select((v, k) => v + sign * (k < TieOffsets[o].Length ? TieOffsets[o][k] : 0)));
            }
        }
        return (queries.ToArray(), references.ToArray());
    }

    [Fact]
    public void Near_ties_below_float32_resolution_are_resolved_by_the_float64_distance_then_the_lowest_index()
    {
        const int width = 16, groups = 40;
        var (queries, references) = NearTieGroups(groups, width, seed: 8);
        using var qt = tensor(queries, [groups, width]);
        using var rt = tensor(references, [groups * TieOffsets.Length, width]);
        var expected = Naive(queries, references, width);
        Assert.All(expected.Distance, d => Assert.Equal(Math.Sqrt(7), d));   // every group's own [2, 1, 1, 1] offset
        foreach (var (queryChunk, referenceChunk) in new[] { (1, 1), (7, 3), (40, 400), (16, 64) })
        {
            var result = NearestNeighbours.Search(qt, rt, queryChunk, referenceChunk);
            Assert.Equal(expected.Index, result.Index);
            Assert.Equal(expected.Distance, result.Distance);
        }

        // Exact ties: all three references below lie at squared distance 8; the lowest index wins in every chunking.
        using var query = tensor(new float[] { 2000, 3000 }, [1, 2]);
        using var tied = tensor(new float[] { 2010, 3000, 2002, 2998, 1998, 3002, 2002, 3002 }, [4, 2]);
        foreach (int chunk in new[] { 1, 2, 3, 4 })
        {
            var result = NearestNeighbours.Search(query, tied, referenceChunk: chunk);
            Assert.Equal(1, result.Index[0]);
            Assert.Equal(Math.Sqrt(8), result.Distance[0]);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 13)]
    [InlineData(64, 50)]
    [InlineData(200, 1000)]
    public void Chunk_sizes_that_do_not_divide_the_counts_give_identical_results(int queryChunk, int referenceChunk)
    {
        const int width = 9;
        using var q = tensor(Uniform(103 * width, 3), [103, width]);
        using var r = tensor(Uniform(61 * width, 4), [61, width]);
        var whole = NearestNeighbours.Search(q, r, queryChunk: 103, referenceChunk: 61);
        var chunked = NearestNeighbours.Search(q, r, queryChunk, referenceChunk);
        Assert.Equal(whole.Index, chunked.Index);
        Assert.Equal(whole.Distance, chunked.Distance);   // exact: the float64 recomputation does not depend on blocks
    }

    [Fact]
    public void Images_are_flattened_and_float64_inputs_are_accepted()
    {
        using var q = tensor(new double[] { 0, 0, 0, 0, 5, 5, 5, 5 }, [2, 1, 2, 2]);
        using var r = tensor(new double[] { 1, 1, 1, 1, 4, 5, 5, 5, 0, 0, 0, 0 }, [3, 1, 2, 2]);
        var result = NearestNeighbours.Search(q, r);
        Assert.Equal([2, 1], result.Index);
        Assert.Equal([0.0, 1.0], result.Distance);
    }

    [Fact]
    public void Search_rejects_mismatched_widths_empty_references_and_NaN()
    {
        using var q = zeros(3, 4);
        Assert.Throws<ArgumentException>(() => NearestNeighbours.Search(q, zeros(2, 5)));
        Assert.Throws<ArgumentException>(() => NearestNeighbours.Search(q, zeros(0, 4)));
        Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbours.Search(q, zeros(2, 4), queryChunk: 0));
        using var bad = tensor(new float[] { 0, float.NaN, 0, 0 }, [1, 4]);
        Assert.Throws<ArgumentException>(() => NearestNeighbours.Search(q, bad));
        Assert.Empty(NearestNeighbours.Search(zeros(0, 4), zeros(2, 4)).Index);
    }

    [Fact]
    public void Downsample2x_averages_each_2x2_block()
    {
        // One 1-channel 4x4 image; each output pixel is the mean of its 2x2 block.
        using var image = tensor(new float[]
        {
            1, 3,   0, 0,
            5, 7,   0, 4,
            2, 2,   9, 9,
            2, 2,   9, 9,
        }, [1, 1, 4, 4]);
        using var small = NearestNeighbours.Downsample2x(image);
        Assert.Equal([1L, 1, 2, 2], small.shape);
        Assert.Equal([4f, 1, 2, 9], small.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => NearestNeighbours.Downsample2x(zeros(1, 1, 3, 4)));
        Assert.Throws<ArgumentException>(() => NearestNeighbours.Downsample2x(zeros(4, 4)));
    }

    [Fact]
    public void Rho_on_hand_made_points()
    {
        // Training points on a line; validation at 10, samples at 1 and 7 (1-pixel "images" can't be
        // down-sampled, so the two searches are called directly).
        using var training = tensor(new float[] { 0, 4, 9 }, [3, 1]);
        using var validation = tensor(new float[] { 10 }, [1, 1]);
        using var samples = tensor(new float[] { 1, 7 }, [2, 1]);
        var toValidation = NearestNeighbours.Search(training, validation);
        var toSamples = NearestNeighbours.Search(training, samples);
        var rho = NearestNeighbours.DistanceRatio(toValidation.Distance, toSamples.Distance);
        Assert.Equal([10.0 / 1, 6.0 / 3, 1.0 / 2], rho);
        Assert.Equal([0, 0, 1], toSamples.Index);
        Assert.Equal([double.PositiveInfinity, double.NaN], NearestNeighbours.DistanceRatio([1.0, 0.0], [0.0, 0.0]));
    }

    [Fact]
    public void DistanceRatios_work_on_downsampled_images()
    {
        // 2x2 images shrink to one pixel each: the block means 1, 3 (training), 2 (validation), 3.5 (sample).
        using var training = tensor(new float[] { 1, 1, 1, 1, 3, 3, 3, 3 }, [2, 1, 2, 2]);
        using var validation = tensor(new float[] { 0, 4, 2, 2 }, [1, 1, 2, 2]);
        using var samples = tensor(new float[] { 3, 4, 3, 4 }, [1, 1, 2, 2]);
        var ratios = NearestNeighbours.DistanceRatios(training, validation, samples);
        Assert.Equal([1.0 / 2.5, 1.0 / 0.5], ratios.Rho);
        Assert.Equal(10, NearestNeighbours.SamplesNeeded(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbours.SamplesNeeded(0));
    }

    [Fact]
    public void A_planted_copy_gives_rho_infinity_ranked_highest_and_counted()
    {
        // 30 random 4x4 training images, 30 validation images, 30 generated images of which one is an exact copy
        // of training image 7. Its rho is d(validation) / 0 = +Infinity; the summary keeps it as the highest rho.
        const int n = 30, width = 16;
        using var training = tensor(Uniform(n * width, 1), [n, 1, 4, 4]);
        using var validation = tensor(Uniform(n * width, 2), [n, 1, 4, 4]);
        var generatedValues = Uniform(n * width, 3);
        Array.Copy(training.data<float>().ToArray(), 7 * width, generatedValues, 12 * width, width);
        using var generated = tensor(generatedValues, [n, 1, 4, 4]);
        var ratios = NearestNeighbours.DistanceRatios(training, validation, generated);
        Assert.Equal(double.PositiveInfinity, ratios.Rho[7]);
        Assert.Equal(12, ratios.ToSamples.Index[7]);
        Assert.Equal(1, ratios.Rho.Count(double.IsPositiveInfinity));

        // M: the copied example has the largest M; all others spread evenly.
        var m = Enumerable.Range(0, n).Select(i => i == 7 ? 100.0 : i).ToArray();
        var summary = RhoAnalysis.Summarize(ratios.Rho, m, bins: 3, histogramBins: 5);
        Assert.Equal(1, summary.Infinite);
        Assert.Equal(0, summary.Excluded);
        Assert.Equal(n, summary.Regular.Count + summary.High.Count);
        // High = M above its 0.95 quantile (28.55 here): M = 29 and the copy; the copy is counted there, outside the histogram.
        Assert.Equal((2, 1, 1), (summary.High.Count, summary.High.Infinite, summary.High.HistogramCounts.Sum()));
        Assert.Equal(0, summary.Regular.Infinite);
        Assert.Equal(1, summary.Bins[^1].Infinite);
        // Ranked highest: the same statistics as with rho_7 replaced by any value above every finite rho.
        double above = ratios.Rho.Where(double.IsFinite).Max() + 1;
        var replaced = ratios.Rho.Select(r => double.IsPositiveInfinity(r) ? above : r).ToArray();
        Assert.Equal(Statistics.Spearman(replaced, m), summary.Spearman, 12);
        var regular = Enumerable.Range(0, n).Where(i => !(m[i] > summary.HighThreshold)).Select(i => replaced[i]).ToArray();
        var high = Enumerable.Range(0, n).Where(i => m[i] > summary.HighThreshold).Select(i => replaced[i]).ToArray();
        Assert.Equal(MannWhitney.Test(regular, high).Z, summary.RegularVsHigh.Z, 12);
        Assert.Equal(double.PositiveInfinity, summary.High.Quantiles[2]);
    }
}
