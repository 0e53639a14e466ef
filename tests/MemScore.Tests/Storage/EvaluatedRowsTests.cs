using System.IO.Compression;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

/// <summary>Task results and checkpoints of --in-models runs: the 'evaluated' rows round-trip and are checked against logp.</summary>
public class EvaluatedRowsTests
{
    const double Gap = double.NaN;

    static TaskResult Partial(int[] evaluated, double[][] logp) =>
        new(new TaskId(0, 1), "abc", [1, 2], logp, [1], [3.0, 2.0], 1.5, [[4.0, Gap, 5.0, 6.0], [7.0, Gap, 8.0, 9.0]], evaluated);

    static readonly double[][] PartialLogp = [[-1.0, Gap, -3.0, -4.0], [-5.0, Gap, -7.0, -8.0]];

    [Fact]
    public void Task_result_round_trips_its_evaluated_rows()
    {
        using var dir = new TempDirectory();
        TaskResultFile.Write(dir["t.npz"], Partial([0, 2, 3], PartialLogp));
        var back = TaskResultFile.Read(dir["t.npz"]);
        Assert.NotNull(back.Evaluated);
        Assert.Equal([0, 2, 3], back.Evaluated);
        Assert.Equal(-7.0, back.LogLikelihoods[1][2]);
        Assert.True(double.IsNaN(back.LogLikelihoods[0][1]));
        Assert.Equal([0, 2, 3], back.EvaluatedRows(4));
    }

    [Fact]
    public void Full_task_result_has_no_evaluated_array()
    {
        using var dir = new TempDirectory();
        TaskResultFile.Write(dir["t.npz"], new TaskResult(new TaskId(0, 0), "abc", [1], [[-1.0, -2.0]], [0], [3.0], 1.5));
        using (var zip = ZipFile.OpenRead(dir["t.npz"]))
            Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("evaluated", StringComparison.Ordinal));
        var back = TaskResultFile.Read(dir["t.npz"]);
        Assert.Null(back.Evaluated);
        Assert.Equal([0, 1], back.EvaluatedRows(2));
    }

    public static TheoryData<int[], double[][], string> Inconsistent => new()
    {
        // A NaN at an evaluated row is still refused.
        { [0, 1, 2, 3], PartialLogp, "holds NaN at evaluation 0, example 1" },
        // A value at a row the array does not list is not silently dropped.
        { [0, 3], PartialLogp, "holds -3 at evaluation 0, example 2, which 'evaluated' does not list" },
        { [2, 0, 3], PartialLogp, "increasing order" },
        { [0, 0, 2, 3], PartialLogp, "increasing order" },
        { [0, 2, 4], PartialLogp, "entry 2 is 4" },
        { [0, 2, 3], [[-1.0, Gap, double.PositiveInfinity, -4.0], [-5.0, Gap, -7.0, -8.0]], "at evaluation 0, example 2; delete the file" },
    };

    [Theory]
    [MemberData(nameof(Inconsistent))]
    public void Inconsistent_task_results_are_refused_naming_the_file(int[] evaluated, double[][] logp, string expected)
    {
        using var dir = new TempDirectory();
        TaskResultFile.Write(dir["t.npz"], Partial(evaluated, logp));
        var error = Assert.Throws<InvalidInputException>(() => TaskResultFile.Read(dir["t.npz"]));
        Assert.Contains(dir["t.npz"], error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Checkpoint_round_trips_its_evaluated_rows_and_refuses_values_outside_them()
    {
        using var dir = new TempDirectory();
        var state = new Dictionary<string, NpyArray> { ["w"] = NpyArray.FromDoubles([1.0, 2.0]) };
        var checkpoint = new TaskCheckpoint(new TaskId(1, 0), "abc", 2, [3.0, 2.0], PartialLogp, state, null, [0, 2, 3]);
        TaskCheckpointFile.Write(dir["c.npz"], checkpoint, 4);
        var back = TaskCheckpointFile.Read(dir["c.npz"], 4);
        Assert.NotNull(back.Evaluated);
        Assert.Equal([0, 2, 3], back.Evaluated);
        Assert.Equal(["w"], back.ModelState.Keys);
        Assert.Equal(-8.0, back.LogLikelihoods[1][3]);

        TaskCheckpointFile.Write(dir["bad.npz"], checkpoint with { Evaluated = [0, 3] }, 4);
        var error = Assert.Throws<InvalidInputException>(() => TaskCheckpointFile.Read(dir["bad.npz"], 4));
        Assert.Contains("does not list", error.Message);
        Assert.Null(TaskCheckpointFileWithoutRows(dir).Evaluated);
    }

    static TaskCheckpoint TaskCheckpointFileWithoutRows(TempDirectory dir)
    {
        var full = new TaskCheckpoint(new TaskId(0, 0), "abc", 1, [1.0], [[-1.0, -2.0]], new Dictionary<string, NpyArray>());
        TaskCheckpointFile.Write(dir["full.npz"], full, 2);
        return TaskCheckpointFile.Read(dir["full.npz"], 2);
    }
}
