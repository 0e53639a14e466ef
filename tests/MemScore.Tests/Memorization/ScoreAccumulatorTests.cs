using MemScore.Memorization;

namespace MemScore.Tests.Memorization;

public class ScoreAccumulatorTests
{
    [Fact]
    public void Hand_made_in_and_out_values_give_log_mean_exp_differences()
    {
        // 3 examples, 3 tasks; task t holds out example t.
        double[][] values =
        [
            [-1.0, -2.0, -3.0],
            [-4.0, -5.0, -6.0],
            [-7.0, -8.0, -9.0],
        ];
        var acc = new ScoreAccumulator(3, [10]);
        for (int t = 0; t < 3; t++)
            acc.Add(new TaskResult(new TaskId(0, t), "h", [10], [values[t]], [t], [0.0], 0));
        var scores = acc.ToScores([5, 6, 7], [100, 101, 102]);

        // Example 0: out = task 0 (-1); in = tasks 1, 2 (-4, -7).
        double u0 = Math.Log((Math.Exp(-4) + Math.Exp(-7)) / 2);
        Assert.Equal(u0, scores.U[0, 0], 12);
        Assert.Equal(-1.0, scores.V[0, 0], 12);
        Assert.Equal(u0 + 1.0, scores.M(0, 0), 12);
        // Example 2: out = task 2 (-9); in = -3, -6.
        Assert.Equal(Math.Log((Math.Exp(-3) + Math.Exp(-6)) / 2) + 9, scores.M(2, 0), 12);
        Assert.All(scores.CountIn, c => Assert.Equal(2, c));
        Assert.All(scores.CountOut, c => Assert.Equal(1, c));
        Assert.Equal([100, 101, 102], scores.SourceIndices);
    }

    [Fact]
    public void Uneven_counts_stay_defined_and_missing_side_is_NaN()
    {
        var acc = new ScoreAccumulator(2, [1]);
        acc.Add(new TaskResult(new TaskId(0, 0), "h", [1], [[-1.0, -2.0]], [0], [0.0], 0));
        var scores = acc.ToScores([0, 0], [0, 1]);
        Assert.True(double.IsNaN(scores.U[0, 0]));   // example 0 never "in"
        Assert.True(double.IsNaN(scores.V[1, 0]));   // example 1 never "out"
        Assert.Equal(-2.0, scores.U[1, 0], 12);
    }

    [Fact]
    public void Only_evaluated_rows_count_and_unevaluated_NaN_is_never_a_value()
    {
        // 3 examples, 2 tasks. Task 0 holds out example 0 and evaluated rows 0 and 2; task 1 holds
        // out example 1 and evaluated rows 0 and 1. Row 1 of task 0 and row 2 of task 1 are gaps.
        var acc = new ScoreAccumulator(3, [1]);
        acc.Add(new TaskResult(new TaskId(0, 0), "h", [1], [[-1.0, double.NaN, -3.0]], [0], [0.0], 0, Evaluated: [0, 2]));
        acc.Add(new TaskResult(new TaskId(0, 1), "h", [1], [[-4.0, -5.0, double.NaN]], [1], [0.0], 0, Evaluated: [0, 1]));
        var scores = acc.ToScores([0, 0, 0], [0, 1, 2]);
        Assert.Equal(-4.0 - -1.0, scores.M(0, 0), 12);   // in: task 1; out: task 0
        Assert.True(double.IsNaN(scores.U[1, 0]));         // example 1: its one in-task did not evaluate it
        Assert.Equal(-5.0, scores.V[1, 0], 12);
        Assert.Equal(-3.0, scores.U[2, 0], 12);
        Assert.Equal([1, 0, 1], scores.CountIn);
        Assert.Equal([1, 1, 0], scores.CountOut);
        Assert.Throws<ArgumentException>(() => acc.Add(new TaskResult(new TaskId(1, 0), "h", [1], [[0.0, 0, 0]], [], [0.0], 0, Evaluated: [3])));
    }

    [Fact]
    public void Refuses_duplicates_and_mismatched_epochs()
    {
        var acc = new ScoreAccumulator(1, [5]);
        var r = new TaskResult(new TaskId(0, 0), "h", [5], [[-1.0]], [], [0.0], 0);
        acc.Add(r);
        Assert.Throws<ArgumentException>(() => acc.Add(r));
        Assert.Throws<ArgumentException>(() => acc.Add(r with { Task = new TaskId(0, 1), EvaluationEpochs = [6] }));
    }

    [Fact]
    public void Top_memorized_orders_by_M_at_the_last_epoch()
    {
        var acc = new ScoreAccumulator(3, [1, 2]);
        acc.Add(new TaskResult(new TaskId(0, 0), "h", [1, 2], [[0.0, 0, 0], [5.0, 1, 3]], [], [0.0, 0], 0));
        acc.Add(new TaskResult(new TaskId(0, 1), "h", [1, 2], [[0.0, 0, 0], [0.0, 0, 0]], [0, 1, 2], [0.0, 0], 0));
        var scores = acc.ToScores([0, 0, 0], [0, 1, 2]);
        Assert.Equal([0, 2, 1], scores.TopMemorized(3));
        Assert.Equal([0], scores.TopMemorized(1));
    }
}
