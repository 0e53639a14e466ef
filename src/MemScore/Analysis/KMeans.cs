using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Analysis;

/// <param name="Centroids">float64 [k, D].</param>
/// <param name="Assignments">Nearest centroid of every point (always consistent with <paramref name="Centroids"/>).</param>
/// <param name="Converged">True when an update left every assignment unchanged before the iteration cap.</param>
internal sealed record KMeansResult(Tensor Centroids, int[] Assignments, int Iterations, bool Converged) : IDisposable
{
    public void Dispose() => Centroids.Dispose();
}

/// <summary>
/// k-means: k-means++ seeding (first centre uniform, each next one drawn with probability
/// proportional to the squared distance to the nearest centre so far), then Lloyd iterations until
/// no assignment changes or <c>maxIterations</c> updates. Nearest centroids come from the exact
/// <see cref="NearestNeighbours.Search"/> (ties to the lowest index); an empty cluster keeps its centroid.
/// </summary>
internal static class KMeans
{
    public static KMeansResult Fit(Tensor points, int k, long seed, int maxIterations = 300)
    {
        int n = (int)points.shape[0];
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"must be in 1..{n} (the number of points)");
        if (maxIterations < 0) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "must be >= 0");
        using var scope = NewDisposeScope();
        var rows = points.reshape(n, -1);
        var centroids = PlusPlusSeeds(rows, k, new SplitMix64(seed));
        var assignments = NearestNeighbours.Search(rows, centroids).Index;
        int iterations = 0;
        bool converged = false;
        while (!converged && iterations < maxIterations)
        {
            centroids = Means(rows, assignments, centroids);
            iterations++;
            var next = NearestNeighbours.Search(rows, centroids).Index;
            converged = next.SequenceEqual(assignments);
            assignments = next;
        }
        return new KMeansResult(centroids.MoveToOuterDisposeScope(), assignments, iterations, converged);
    }

    static Tensor PlusPlusSeeds(Tensor rows, int k, SplitMix64 random)
    {
        int n = (int)rows.shape[0];
        var chosen = new List<int> { random.NextInt(n) };
        var nearest = SquaredDistances(rows, chosen[0]);
        while (chosen.Count < k)
        {
            double total = nearest.Sum();
            if (!(total > 0)) throw new ArgumentException($"fewer than k = {k} distinct points");
            double target = random.NextDouble() * total, cumulative = 0;
            int pick = -1;
            for (int i = 0; i < n && cumulative <= target; i++)
                if (nearest[i] > 0) { cumulative += nearest[i]; pick = i; }
            chosen.Add(pick);
            var fresh = SquaredDistances(rows, pick);
            for (int i = 0; i < n; i++) nearest[i] = Math.Min(nearest[i], fresh[i]);
        }
        using var index = tensor(chosen.Select(i => (long)i).ToArray());
        return rows.index_select(0, index).to_type(ScalarType.Float64);
    }

    static double[] SquaredDistances(Tensor rows, int centre)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        // In the points' own precision: these are only sampling weights.
        var d = rows.sub(rows[centre]).pow(k[2]).sum(1);
        return d.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    static Tensor Means(Tensor rows, int[] assignments, Tensor previous)
    {
        int k = (int)previous.shape[0];
        using var scalars = new ScalarScope();
        var sums = zeros(previous.shape, ScalarType.Float64);
        const int chunk = 8192;
        for (int start = 0; start < assignments.Length; start += chunk)
        {
            int length = Math.Min(chunk, assignments.Length - start);
            using var index = tensor(assignments.Skip(start).Take(length).Select(a => (long)a).ToArray());
            using var block = rows.narrow(0, start, length).to_type(ScalarType.Float64);
            sums.index_add_(0, index, block, scalars.One);
        }
        var counts = new double[k];
        foreach (int a in assignments) counts[a]++;
        using var divisor = tensor(counts.Select(c => Math.Max(c, 1)).ToArray()).unsqueeze(1);
        using var empty = tensor(counts.Select(c => c == 0).ToArray()).unsqueeze(1);
        return sums.div_(divisor).where(empty.logical_not(), previous);
    }
}
