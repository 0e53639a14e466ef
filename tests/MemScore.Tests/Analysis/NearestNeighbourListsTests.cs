using MemScore.Analysis;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Tests.Analysis;

public class NearestNeighbourListsTests
{
    [Fact]
    public void Points_on_a_line_list_their_neighbours_nearest_first_ties_by_index_without_themselves()
    {
        // Rows 0, 1, 3, 3 on a line: row 3 duplicates row 2.
        using var points = tensor(new float[] { 0, 1, 3, 3 }).reshape(4, 1);
        var lists = NearestNeighbourLists.Nearest(points, points, k: 4, excludeSelf: true);
        Assert.Equal(4, lists.Rows);
        Assert.Equal(new[] { 1, 2, 3, -1 }, lists.Index[0..4]);    // distances 1, 3, 3: the tie goes to the lower index
        Assert.Equal(new[] { 3, 1, 0, -1 }, lists.Index[8..12]);   // the duplicate first, at distance 0
        // Exact small integers: |a|^2 + |b|^2 - 2ab is exact in float64, so distances are exact.
        Assert.Equal(new[] { 1.0, 3.0, 3.0 }, lists.Distance[0..3]);
        Assert.Equal(0.0, lists.Distance[8]);
        Assert.True(double.IsNaN(lists.Distance[3]));
    }

    [Fact]
    public void Lists_match_a_plain_double_loop_on_random_images()
    {
        var rng = new SplitMix64(11);
        float[] Draw(int count) => Enumerable.Range(0, count).Select(_ => (float)rng.NextDouble()).ToArray();
        const int width = 12, k = 3;
        float[] q = Draw(30 * width), r = Draw(50 * width);
        using var queries = tensor(q).reshape(30, 2, 6);
        using var references = tensor(r).reshape(50, 2, 6);
        var lists = NearestNeighbourLists.Nearest(queries, references, k);
        for (int i = 0; i < 30; i++)
        {
            var expected = Enumerable.Range(0, 50)
                .Select(j => (j, d: Math.Sqrt(Enumerable.Range(0, width).Sum(c => Math.Pow((double)q[i * width + c] - r[j * width + c], 2)))))
                .OrderBy(p => p.d).ThenBy(p => p.j).Take(k).ToArray();
            Assert.Equal(expected.Select(p => p.j), lists.Index[(i * k)..(i * k + k)]);
            // float64 with |a|^2 + |b|^2 - 2ab: absolute error of d^2 below ~1e-14 for values in [0, 1]; 1e-6 on d is generous.
            for (int j = 0; j < k; j++) Assert.Equal(expected[j].d, lists.Distance[i * k + j], 1e-6);
        }
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_names()
    {
        using var a = zeros(3, 4);
        using var b = zeros(2, 4);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbourLists.Nearest(a, a, 0)).ParamName);
        Assert.Equal("references", Assert.Throws<ArgumentException>(() => NearestNeighbourLists.Nearest(a, b, 1, excludeSelf: true)).ParamName);
        using var c = zeros(2, 5);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => NearestNeighbourLists.Nearest(c, b, 1)).ParamName);
    }
}
