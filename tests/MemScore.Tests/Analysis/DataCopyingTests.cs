using MemScore.Tests.Support;
using MemScore.Analysis;
using static TorchSharp.torch;

namespace MemScore.Tests.Analysis;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class DataCopyingTests
{
    /// <summary>Draws from one distribution: four unit-variance blobs at 6 e_0, ..., 6 e_3 in 8 dimensions.</summary>
    static Tensor Draw(int count, Generator generator)
    {
        using var blob = randint(4, [count], generator: generator);
        using var centres = eye(4, 8).mul(6).index_select(0, blob);
        return randn([count, 8], generator: generator).add_(centres);
    }

    [Fact]
    public void Samples_that_copy_training_points_give_a_strongly_negative_CT()
    {
        using var generator = new Generator(21);
        using var training = Draw(2000, generator);
        using var test = Draw(500, generator);
        using var picked = randperm(2000, generator: generator).narrow(0, 0, 500);
        using var copies = training.index_select(0, picked).add_(randn([500, 8], generator: generator).mul_(1e-3));
        var result = DataCopying.Statistic(training, test, copies, cells: 5, seed: 3);
        // Copies sit ~3e-3 from a training point, test points ~1 away, so every cell has U near 0 and
        // z near -sqrt(3 n m / (n + m + 1)) ~ -12 for ~100 + 100 points: -3 is far above that.
        Assert.True(result.CT < -3, $"C_T = {result.CT}");
        Assert.All(result.Cells.Where(c => c.Used), c => Assert.True(c.Z < -3, $"cell z = {c.Z}"));
    }

    [Fact]
    public void Samples_from_the_test_distribution_give_CT_near_zero()
    {
        using var generator = new Generator(22);
        using var training = Draw(2000, generator);
        using var test = Draw(500, generator);
        using var fresh = Draw(500, generator);
        var result = DataCopying.Statistic(training, test, fresh, cells: 5, seed: 3);
        // Test and generated points are exchangeable given the training data and the cells, so each
        // cell's z has mean 0 and variance ~1, independently across cells given the counts; C_T then
        // has sd sqrt(sum w^2) / sum w, ~0.45 for 5 similar cells. |C_T| < 2 is > 4 sd: a failure
        // would mean a bias, not bad luck (the seeds are fixed, so the outcome is also reproducible).
        Assert.Equal(0, result.CellsDropped);
        double sd = Math.Sqrt(result.Cells.Sum(c => c.Weight * c.Weight)) / result.Cells.Sum(c => c.Weight);
        Assert.True(sd < 0.6, $"sd {sd}");
        Assert.True(Math.Abs(result.CT) < 2, $"C_T = {result.CT}");
        Assert.Equal(1.0, result.Cells.Sum(c => c.Weight), 12);
        Assert.Equal(500, result.Cells.Sum(c => c.Generated));
        Assert.Equal(2000, result.Cells.Sum(c => c.Training));
    }

    [Fact]
    public void Cells_with_too_few_generated_samples_are_dropped_and_counted()
    {
        using var generator = new Generator(23);
        using var training = Draw(1000, generator);
        using var test = Draw(300, generator);
        // All 60 samples around the first blob: the other blobs' cells get none.
        using var narrow = randn([60, 8], generator: generator).mul_(0.3).add_(eye(1, 8).mul(6));
        var result = DataCopying.Statistic(training, test, narrow, cells: 4, seed: 1);
        Assert.True(result.CellsDropped >= 1);
        Assert.Equal(result.CellsDropped, result.Cells.Count(c => !c.Used));
        Assert.All(result.Cells.Where(c => c.Used), c => Assert.True(c.Generated >= DataCopying.DefaultMinGeneratedPerCell));
        Assert.All(result.Cells.Where(c => c.Generated == 0), c => Assert.True(double.IsNaN(c.Z)));
        double expected = result.Cells.Where(c => c.Used).Sum(c => c.Weight * c.Z) / result.Cells.Where(c => c.Used).Sum(c => c.Weight);
        Assert.Equal(expected, result.CT, 12);

        var none = DataCopying.Statistic(training, test, narrow, cells: 4, seed: 1, minGeneratedPerCell: 1000);
        Assert.True(double.IsNaN(none.CT));
        Assert.Equal(4, none.CellsDropped);
    }
}
