using MemScore.Memorization;

namespace MemScore.Tests.Memorization;

public class InModelSubsetTests
{
    const long Seed = 17;

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(9)]
    public void Every_example_keeps_exactly_M_distinct_in_tasks_balanced_over_repeats(int inModels)
    {
        var plan = new FoldPlan(200, 4, 3, Seed);
        var subset = new InModelSubset(plan, inModels, Seed);
        for (int i = 0; i < plan.Count; i++)
        {
            var chosen = InModelSubset.Choose(plan, inModels, Seed, i);
            Assert.Equal(inModels, chosen.Distinct().Count());
            Assert.All(chosen, t => Assert.NotEqual(plan.FoldOf(t.Repeat, i), t.Fold));   // an in-model trains on i
            // Stratified: each repeat holds floor(M/L) or ceil(M/L) of the chosen tasks.
            foreach (int r in Enumerable.Range(0, plan.Repeats))
                Assert.InRange(chosen.Count(t => t.Repeat == r), inModels / plan.Repeats, (inModels + plan.Repeats - 1) / plan.Repeats);
            var kept = plan.Tasks().Where(t => subset.Keeps(t, i)).ToHashSet();
            Assert.True(kept.SetEquals(chosen), $"example {i}");
        }
    }

    [Fact]
    public void The_choice_is_a_pure_function_of_seed_plan_and_example()
    {
        var plan = new FoldPlan(60, 5, 2, Seed);
        var again = new FoldPlan(60, 5, 2, Seed);
        for (int i = 0; i < plan.Count; i++)
            Assert.Equal(InModelSubset.Choose(plan, 3, Seed, i), InModelSubset.Choose(again, 3, Seed, i));
        var a = new InModelSubset(plan, 3, Seed);
        var b = new InModelSubset(again, 3, Seed);
        Assert.All(plan.Tasks(), t => Assert.Equal(a.RowsToEvaluate(t), b.RowsToEvaluate(t)));
        // Another root seed gives another choice for some example.
        Assert.Contains(Enumerable.Range(0, plan.Count),
            i => !InModelSubset.Choose(plan, 3, Seed, i).SequenceEqual(InModelSubset.Choose(plan, 3, Seed + 1, i)));
    }

    [Fact]
    public void Tasks_are_chosen_about_equally_often()
    {
        const int n = 3000, folds = 4, repeats = 3, inModels = 4;
        var plan = new FoldPlan(n, folds, repeats, Seed);
        var subset = new InModelSubset(plan, inModels, Seed);
        foreach (var task in plan.Tasks())
        {
            int eligible = n - plan.HeldOut(task).Length;
            int chosen = Enumerable.Range(0, n).Count(i => subset.Keeps(task, i));
            // Each eligible example keeps the task with probability M / (L(K-1)) = 4/9, so the count
            // is about binomial(750, 4/9): mean 333, sd 13.6. 6 sd bounds: false alarm < 1e-8 per task.
            double p = (double)inModels / (repeats * (folds - 1)), mean = eligible * p, sd = Math.Sqrt(eligible * p * (1 - p));
            Assert.InRange(chosen, mean - 6 * sd, mean + 6 * sd);
        }
    }

    [Fact]
    public void Rows_to_evaluate_are_the_held_out_fold_plus_the_examples_that_chose_the_task()
    {
        const int n = 101, folds = 3, repeats = 2, inModels = 2;
        var plan = new FoldPlan(n, folds, repeats, Seed);
        var subset = new InModelSubset(plan, inModels, Seed);
        long total = 0;
        foreach (var task in plan.Tasks())
        {
            var rows = subset.RowsToEvaluate(task)!;
            var expected = Enumerable.Range(0, n).Where(i => plan.HeldOut(task).Contains(i) || subset.Keeps(task, i));
            Assert.Equal(expected, rows);
            total += rows.Length;
        }
        // (L + M) n evaluations in all instead of L K n.
        Assert.Equal((repeats + inModels) * n, total);
    }

    [Fact]
    public void Keeping_every_in_model_evaluates_every_row()
    {
        var plan = new FoldPlan(30, 3, 2, Seed);
        var subset = new InModelSubset(plan, 4, Seed);
        Assert.All(plan.Tasks(), t => Assert.Null(subset.RowsToEvaluate(t)));
        Assert.Null(InModelSubset.For(null, plan, Seed));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Out_of_range_M_is_refused(int inModels)
    {
        var plan = new FoldPlan(30, 3, 2, Seed);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InModelSubset(plan, inModels, Seed));
    }

    [Fact]
    public void Same_rows_treats_null_as_every_row()
    {
        Assert.True(InModelSubset.SameRows(null, null));
        Assert.True(InModelSubset.SameRows([1, 2], [1, 2]));
        Assert.False(InModelSubset.SameRows(null, [1, 2]));
        Assert.False(InModelSubset.SameRows([1, 2], null));
        Assert.False(InModelSubset.SameRows([1, 2], [1, 3]));
    }
}
