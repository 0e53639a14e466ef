using MemScore.Memorization;

namespace MemScore.Tests.Memorization;

public class FoldPlanTests
{
    [Theory]
    [InlineData(10, 2, 1)]
    [InlineData(103, 10, 3)]
    [InlineData(7, 7, 2)]
    [InlineData(1000, 3, 2)]
    public void Each_repeat_partitions_the_examples_with_the_documented_sizes(int n, int k, int l)
    {
        var plan = new FoldPlan(n, k, l, rootSeed: 11);
        for (int r = 0; r < l; r++)
        {
            var all = new List<int>();
            for (int f = 0; f < k; f++)
            {
                var fold = plan.HeldOut(new TaskId(r, f));
                Assert.Equal(n / k + (f < n % k ? 1 : 0), fold.Length);
                Assert.Equal(fold.Order(), fold);
                var train = plan.TrainingExamples(new TaskId(r, f));
                Assert.Equal(n - fold.Length, train.Length);
                Assert.Empty(train.Intersect(fold));
                all.AddRange(fold);
            }
            Assert.Equal(Enumerable.Range(0, n), all.Order());
        }
    }

    [Fact]
    public void A_repeat_depends_only_on_root_seed_and_repeat_index()
    {
        var small = new FoldPlan(50, 5, 1, rootSeed: 3);
        var large = new FoldPlan(50, 5, 4, rootSeed: 3);
        for (int f = 0; f < 5; f++)
            Assert.Equal(small.HeldOut(new TaskId(0, f)), large.HeldOut(new TaskId(0, f)));
        Assert.NotEqual(large.HeldOut(new TaskId(0, 0)), large.HeldOut(new TaskId(1, 0)));
        Assert.NotEqual(small.HeldOut(new TaskId(0, 0)), new FoldPlan(50, 5, 1, rootSeed: 4).HeldOut(new TaskId(0, 0)));
    }

    [Fact]
    public void Tasks_queried_in_any_order_give_the_same_folds()
    {
        var plan = new FoldPlan(40, 4, 2, rootSeed: 5);
        var forward = plan.Tasks().ToDictionary(t => t, t => plan.HeldOut(t));
        var again = new FoldPlan(40, 4, 2, rootSeed: 5);
        foreach (var task in plan.Tasks().Reverse())
            Assert.Equal(forward[task], again.HeldOut(task));
    }

    [Fact]
    public void Rejects_impossible_plans()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FoldPlan(5, 1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FoldPlan(5, 6, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FoldPlan(5, 2, 0, 0));
    }
}
