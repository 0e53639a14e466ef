using MemScore.Tests.Support;
using MemScore.Analysis;
using static TorchSharp.torch;

namespace MemScore.Tests.Analysis;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class KMeansTests
{
    /// <summary>100 points around each of 20 e_0, ..., 20 e_3 in 5 dimensions, unit-variance noise; planted label = row / 100.</summary>
    static Tensor PlantedClusters(ulong seed)
    {
        using var generator = new Generator(seed);
        using var centres = eye(4, 5).mul(20).repeat_interleave(100, 0);
        return randn([400, 5], generator: generator).add_(centres);
    }

    [Fact]
    public void Recovers_well_separated_planted_clusters()
    {
        using var points = PlantedClusters(11);
        using var result = KMeans.Fit(points, 4, seed: 5);
        var labels = Enumerable.Range(0, 4).Select(c => result.Assignments.Skip(100 * c).Take(100).Distinct().ToArray()).ToArray();
        Assert.All(labels, l => Assert.Single(l));            // every planted cluster lies in one cell
        Assert.Equal(4, labels.Select(l => l[0]).Distinct().Count());   // and the cells differ
        Assert.True(result.Converged);
        // A converged centroid is the mean of its cell, here the planted cluster's sample mean
        // (float32 data summed in float64: agreement to 1e-5).
        var values = points.to_type(ScalarType.Float64).data<double>().ToArray();
        var centroids = result.Centroids.data<double>().ToArray();
        for (int c = 0; c < 4; c++)
            for (int d = 0; d < 5; d++)
            {
                double mean = Enumerable.Range(100 * c, 100).Average(i => values[i * 5 + d]);
                Assert.Equal(mean, centroids[labels[c][0] * 5 + d], 5);
                Assert.InRange(centroids[labels[c][0] * 5 + d], (c == d ? 20 : 0) - 0.5, (c == d ? 20 : 0) + 0.5);   // 5 sd of a 100-point mean
            }
    }

    [Fact]
    public void One_dimensional_hand_example_and_seeded_determinism()
    {
        using var points = tensor(new float[] { 0, 1, 10, 11, 12 }, [5, 1]);
        using var result = KMeans.Fit(points, 2, seed: 1);
        var centroids = result.Centroids.data<double>().ToArray().Order().ToArray();
        Assert.Equal([0.5, 11.0], centroids);
        Assert.Equal(result.Assignments[0], result.Assignments[1]);
        Assert.NotEqual(result.Assignments[1], result.Assignments[2]);

        using var cloud = PlantedClusters(12);
        using var first = KMeans.Fit(cloud, 6, seed: 9);
        using var second = KMeans.Fit(cloud, 6, seed: 9);
        Assert.Equal(first.Assignments, second.Assignments);
        Assert.Equal(first.Centroids.data<double>().ToArray(), second.Centroids.data<double>().ToArray());
    }

    [Fact]
    public void Iteration_cap_still_returns_nearest_centroid_assignments()
    {
        using var cloud = PlantedClusters(13);
        using var result = KMeans.Fit(cloud, 7, seed: 2, maxIterations: 1);
        Assert.Equal(1, result.Iterations);
        Assert.Equal(NearestNeighbours.Search(cloud, result.Centroids).Index, result.Assignments);
    }

    [Fact]
    public void Rejects_bad_k_and_too_few_distinct_points()
    {
        using var points = zeros(5, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans.Fit(points, 6, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans.Fit(points, 0, seed: 1));
        Assert.Throws<ArgumentException>(() => KMeans.Fit(points, 2, seed: 1));
    }
}
