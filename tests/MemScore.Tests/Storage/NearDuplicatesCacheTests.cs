using MemScore.Analysis;
using MemScore.Core;
using MemScore.Storage;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Storage;

public class NearDuplicatesCacheTests
{
    const int Count = 200, Side = 8;

    /// <summary>
    /// 200 uniform [0, 1] images of 1 x 8 x 8 (seeded; two such images lie ~0.2 apart RMS after pooling) with 6 copies moved by
    /// +-0.03 per pixel (RMS 0.03 before pooling, at most 0.03 after): found at threshold 0.05, not at 0.01.
    /// </summary>
    static Tensor Images()
    {
        var rng = new SplitMix64(17);
        var pixels = Enumerable.Range(0, Count * Side * Side).Select(_ => (float)rng.NextDouble()).ToArray();
        foreach (var (copy, original) in new[] { (40, 3), (90, 3), (120, 50), (150, 60), (170, 61), (199, 0) })
            for (int k = 0; k < Side * Side; k++)
                pixels[copy * Side * Side + k] = pixels[original * Side * Side + k] + (rng.NextDouble() < 0.5 ? -0.03f : 0.03f);
        return tensor(pixels, [Count, 1, Side, Side]);
    }

    static NearDuplicatesKey Key(double threshold, string hash = "dataset-a", int shift = 0) =>
        new(hash, threshold, Enumerable.Range(shift, Count).ToArray());

    static void AssertSameResult(NearDuplicateSet expected, NearDuplicateSet actual)
    {
        Assert.Equal(expected.Groups(), actual.Groups());
        Assert.Equal(expected.Removed, actual.Removed);   // record equality: rows and the float64 distance bit for bit
        Assert.Equal(expected.Kept, actual.Kept);
        Assert.Equal((expected.Count, expected.Threshold), (actual.Count, actual.Threshold));
    }

    [Fact]
    public void A_cached_search_gives_the_same_groups_as_the_search_and_is_not_run_again()
    {
        using var dir = new TempDirectory();
        using var images = Images();
        var searched = NearDuplicates.Find(images, 0.05);
        int calls = 0;

        var first = NearDuplicatesCache.GetOrCompute(dir.Path, Key(0.05), () => { calls++; return NearDuplicates.Find(images, 0.05); });
        var second = NearDuplicatesCache.GetOrCompute(dir.Path, Key(0.05), () => { calls++; return NearDuplicates.Find(images, 0.05); });

        Assert.Equal(1, calls);
        Assert.Equal(5, searched.Groups().Length);   // one group of three and four pairs
        AssertSameResult(searched, first);
        AssertSameResult(searched, second);
    }

    [Fact]
    public void A_cache_made_for_another_threshold_dataset_or_set_of_examples_is_not_used()
    {
        using var dir = new TempDirectory();
        using var images = Images();
        NearDuplicatesCache.GetOrCompute(dir.Path, Key(0.05), () => NearDuplicates.Find(images, 0.05));
        string path = Path.Combine(dir.Path, NearDuplicatesCache.Name);

        var strict = NearDuplicatesCache.GetOrCompute(dir.Path, Key(0.01), () => NearDuplicates.Find(images, 0.01));

        Assert.Empty(strict.Groups());   // the copies lie 0.03 apart: the 0.05 result was not reused
        Assert.Null(NearDuplicatesCache.TryRead(path, Key(0.05)));
        Assert.NotNull(NearDuplicatesCache.TryRead(path, Key(0.01)));   // replaced by the new threshold's result
        Assert.Null(NearDuplicatesCache.TryRead(path, Key(0.01, hash: "dataset-b")));
        Assert.Null(NearDuplicatesCache.TryRead(path, Key(0.01, shift: 1)));
        Assert.Null(NearDuplicatesCache.TryRead(path, new NearDuplicatesKey("dataset-a", 0.01, Enumerable.Range(0, Count - 1).ToArray())));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"format\": 1}")]
    public void An_unreadable_cache_is_searched_again_and_replaced(string content)
    {
        using var dir = new TempDirectory();
        using var images = Images();
        File.WriteAllText(Path.Combine(dir.Path, NearDuplicatesCache.Name), content);
        int calls = 0;

        var set = NearDuplicatesCache.GetOrCompute(dir.Path, Key(0.05), () => { calls++; return NearDuplicates.Find(images, 0.05); });

        Assert.Equal(1, calls);
        AssertSameResult(NearDuplicates.Find(images, 0.05), set);
        Assert.NotNull(NearDuplicatesCache.TryRead(Path.Combine(dir.Path, NearDuplicatesCache.Name), Key(0.05)));
    }

    [Theory]
    [InlineData("[[40, 3, 0.02], [41, 40, 0.02]]")]   // a row removed for a row that is itself removed
    [InlineData("[[40, 41, 0.02]]")]                   // removed for a later row
    [InlineData("[[40, 3, 0.06]]")]                    // farther than the threshold
    [InlineData("[[200, 3, 0.02]]")]                   // no such example
    [InlineData("[[90, 3, 0.02], [40, 3, 0.02]]")]     // not in order
    public void A_cache_that_no_search_could_have_made_is_not_used(string removed)
    {
        using var dir = new TempDirectory();
        using var images = Images();
        string path = Path.Combine(dir.Path, NearDuplicatesCache.Name);
        NearDuplicatesCache.GetOrCompute(dir.Path, Key(0.05), () => NearDuplicates.Find(images, 0.05));
        string valid = File.ReadAllText(path);
        int at = valid.IndexOf("\"removed\":", StringComparison.Ordinal);
        File.WriteAllText(path, valid[..at] + "\"removed\":" + removed + "}");

        Assert.Null(NearDuplicatesCache.TryRead(path, Key(0.05)));
    }
}
