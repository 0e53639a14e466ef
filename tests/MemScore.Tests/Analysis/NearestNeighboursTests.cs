using MemScore.Analysis;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Tests.Analysis;

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

    [Fact]
    public void Near_ties_below_float32_resolution_are_resolved_by_the_float64_distance_then_the_lowest_index()
    {
        // |q|^2 = 16 * 1500^2 = 3.6e7, where float32 steps are 4: the screened values of squared
        // distances 9 and 8 are indistinguishable, so only the float64 recomputation can rank them.
        const int width = 16;
        var q = Enumerable.Repeat(1500f, width).ToArray();
        float[] Offset(params float[] delta) => q.Select((v, k) => v + (k < delta.Length ? delta[k] : 0)).ToArray();
        var references = new[]
        {
            Offset(3),          // 0: d^2 = 9
            Offset(2, 2, 1),    // 1: d^2 = 9
            Offset(0, 3),       // 2: d^2 = 9
            Offset(2, 0, 2, 1), // 3: d^2 = 9
            Offset(2, 2),       // 4: d^2 = 8  <- nearest
            Offset(0, 2, 2),    // 5: d^2 = 8  (tie: loses to the lower index 4)
            Offset(1, 3),       // 6: d^2 = 10
        }.SelectMany(v => v).ToArray();
        var queries = q.Concat(Offset(0, 0, 0, 0, 5)).ToArray();   // second query: d^2 = 25 + 9 to reference 0, etc.
        using var qt = tensor(queries, [2, width]);
        using var rt = tensor(references, [7, width]);
        var expected = Naive(queries, references, width);
        foreach (int chunk in new[] { 1, 2, 3, 7 })
        {
            var result = NearestNeighbours.Search(qt, rt, queryChunk: 1, referenceChunk: chunk);
            Assert.Equal(4, result.Index[0]);
            Assert.Equal(Math.Sqrt(8), result.Distance[0]);
            Assert.Equal(expected.Index, result.Index);
            Assert.Equal(expected.Distance, result.Distance);
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
}
