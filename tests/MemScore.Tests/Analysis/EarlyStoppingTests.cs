using MemScore.Analysis;

namespace MemScore.Tests.Analysis;

public class EarlyStoppingTests
{
    public static TheoryData<double[], int, int, int?> Cases => new()
    {
        // losses, patience, kept epoch, stop epoch (null: does not stop)
        { [5, 4, 3, 3.5, 3.6, 3.7], 2, 3, 5 },
        { [5, 4, 3, 3.5, 3.6, 3.7], 3, 3, 6 },
        { [5, 4, 3, 3.5, 3.6, 3.7], 4, 3, null },
        { [5, 4, 3, 2, 1], 1, 5, null },
        { [3, 3, 3], 1, 1, 2 },                                  // equal is no improvement
        { [3, 4, 2, 5, 5, 5], 2, 3, 5 },                         // a later, lower minimum resets the count
        { [2], 1, 1, null },
        { [double.PositiveInfinity, 1, 2], 1, 2, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Keeps_the_best_epoch_and_stops_after_patience_epochs_without_improvement(double[] losses, int patience, int kept, int? stop)
    {
        var result = EarlyStopping.Decide(losses, patience);
        Assert.Equal((kept, stop), (result.BestEpoch, result.StopEpoch));
        Assert.Equal(losses[kept - 1], result.BestLoss);
    }

    [Fact]
    public void Refuses_bad_input()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EarlyStopping.Decide([1, 2], 0));
        Assert.Throws<ArgumentException>(() => EarlyStopping.Decide([], 1));
        Assert.Throws<ArgumentException>(() => EarlyStopping.Decide([1, double.NaN], 1));
    }

    [Theory]
    [InlineData(new[] { 5, 10, 15 }, 12, 1)]
    [InlineData(new[] { 5, 10, 15 }, 10, 1)]
    [InlineData(new[] { 5, 10, 15 }, 40, 2)]
    [InlineData(new[] { 60 }, 7, null)]
    public void Finds_the_evaluation_at_or_before_an_epoch(int[] evaluations, int epoch, int? column) =>
        Assert.Equal(column, EarlyStopping.EvaluationAtOrBefore(evaluations, epoch));
}
