using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Storage;

/// <summary>
/// Range checks of the numbers in task results and checkpoints (issue 18, items 6 and 7), as a table of
/// edge values, and the last guard of aggregation against infinite M.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class ResultValuesTests
{
    static TaskResult Result(double logp = -10, double ess = 3, double loss = 1.5) =>
        new(new TaskId(0, 1), "abc", [1], [[logp, -20.0, -30.0]], [1], [loss], 1.0, [[ess, 2.0, 4.0]]);

    public static TheoryData<string, double, double, double, string> Refused => new()
    {
        { "logp +max", 1.7e308, 3, 1.5, "'logp' holds 1.7E+308 at evaluation 0, example 0" },
        { "logp -max", -1.7e308, 3, 1.5, "'logp' holds -1.7E+308" },
        { "logp just past the bound", -1.000001e12, 3, 1.5, "'logp' holds -1000001000000" },
        { "ess NaN", -10, double.NaN, 1.5, "'ess' holds NaN" },
        { "ess +inf", -10, double.PositiveInfinity, 1.5, "'ess' holds Infinity" },
        { "ess below 1", -10, 0.5, 1.5, "'ess' holds 0.5" },
        { "ess negative", -10, -3, 1.5, "'ess' holds -3" },
        { "loss NaN", -10, 3, double.NaN, "'train_loss' holds NaN at epoch 1" },
        { "loss -inf", -10, 3, double.NegativeInfinity, "'train_loss' holds -Infinity at epoch 1" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_task_result_with_values_no_run_produces_is_a_damaged_run_folder(string name, double logp, double ess, double loss, string expected)
    {
        Assert.NotNull(name);
        using var dir = new TempDirectory();
        TaskResultFile.Write(dir["t.npz"], Result(logp, ess, loss));
        var error = Assert.Throws<MemScoreException>(() => TaskResultFile.Read(dir["t.npz"]));
        Assert.Equal(ErrorKind.RunFolder, error.Kind);
        Assert.StartsWith($"{dir["t.npz"]}: {expected}", error.Message);
    }

    [Theory]
    [InlineData(-1e12, 1.0)]          // the bound itself, and the smallest ESS
    [InlineData(1e12, 64.0)]
    [InlineData(-0.0, 1 - 1e-7)]      // ESS rounding just below 1
    public void Edge_values_inside_the_bounds_are_accepted(double logp, double ess)
    {
        using var dir = new TempDirectory();
        TaskResultFile.Write(dir["t.npz"], Result(logp, ess));
        Assert.Equal(logp, TaskResultFile.Read(dir["t.npz"]).LogLikelihoods[0][0]);
    }

    [Fact]
    public void Rows_not_evaluated_with_in_models_may_hold_NaN_logp_and_ess()
    {
        using var dir = new TempDirectory();
        var partial = new TaskResult(new TaskId(0, 1), "abc", [1], [[-1.0, double.NaN, -3.0]], [1], [1.5], 1.0, [[2.0, double.NaN, 3.0]], [0, 2]);
        TaskResultFile.Write(dir["t.npz"], partial);
        Assert.True(double.IsNaN(TaskResultFile.Read(dir["t.npz"]).EffectiveSampleSizes![0][1]));
    }

    [Fact]
    public void Aggregation_refuses_an_infinite_M_naming_the_example()
    {
        // Values inside double range whose log-mean-exp difference overflows: the guard behind the file checks.
        var acc = new ScoreAccumulator(2, [3]);
        acc.Add(new TaskResult(new TaskId(0, 0), "h", [3], [[-1.7e308, -1.0]], [0], [0.0], 0));
        acc.Add(new TaskResult(new TaskId(0, 1), "h", [3], [[1.7e308, -2.0]], [1], [0.0], 0));
        var scores = acc.ToScores([0, 0], [0, 1]);
        var error = Assert.Throws<NumericalFailureException>(() => Aggregator.RequireFinite(scores, "run/tasks"));
        Assert.StartsWith("run/tasks: M of example 0 at epoch 3 is Infinity", error.Message.Replace("∞", "Infinity"));
    }

    [Fact]
    public void An_example_without_in_or_out_values_keeps_its_empty_M()
    {
        var acc = new ScoreAccumulator(2, [1]);
        acc.Add(new TaskResult(new TaskId(0, 0), "h", [1], [[-1.0, -2.0]], [0], [0.0], 0));
        Aggregator.RequireFinite(acc.ToScores([0, 0], [0, 1]), "run/tasks");   // NaN M by design: no throw
    }

    static (nn.Module<Tensor, Tensor> Module, AdamOptimizer Adam) Model()
    {
        var module = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1));
        return (module, new AdamOptimizer(module.named_parameters(), 1e-2));
    }

    public static TheoryData<string, string, float, string> DamagedState => new()
    {
        { "NaN weight", "param.0.weight", float.NaN, "'param.0.weight' holds NaN at position 0, expected finite values" },
        { "infinite first moment", "adam_m.1.bias", float.NegativeInfinity, "'adam_m.1.bias' holds -Infinity at position 0" },
        { "negative second moment", "adam_v.0.bias", -1e-12f, "expected second moments >= 0" },
        { "NaN second moment", "adam_v.0.bias", float.NaN, "'adam_v.0.bias' holds NaN" },
    };

    [Theory]
    [MemberData(nameof(DamagedState))]
    public void Checkpoint_state_that_training_cannot_produce_is_named_and_refused_before_anything_changes(string name, string key, float value, string expected)
    {
        Assert.NotNull(name);
        var (module, adam) = Model();
        var state = ModuleCheckpoint.Save(module, adam);
        var values = state[key].ToFloats();
        values[0] = value;
        state[key] = NpyArray.FromFloats(values, state[key].Shape);
        Assert.Contains(expected, ModuleCheckpoint.Problem(state));
        using var before = module.named_parameters().First().parameter.clone();
        var error = Assert.Throws<InvalidInputException>(() => ModuleCheckpoint.Load(module, adam, state, "c.npz"));
        Assert.StartsWith("c.npz: ", error.Message);
        Assert.True(module.named_parameters().First().parameter.equal(before).all().item<bool>());
    }

    [Fact]
    public void Step_counts_must_match_the_batches_trained()
    {
        var (module, adam) = Model();
        var state = ModuleCheckpoint.Save(module, adam);   // step 0
        Assert.Null(ModuleCheckpoint.Problem(state, [0]));
        Assert.Equal("'adam_step' holds 0, expected 6 (one step per batch of the epochs completed)", ModuleCheckpoint.Problem(state, [6]));
        state["adam_step"] = NpyArray.FromInt64([6, long.MaxValue]);
        Assert.Equal("'adam_step' holds 9223372036854775807 for member 1, expected 6 (one step per batch of the epochs completed)", ModuleCheckpoint.Problem(state, [6, 6]));
        Assert.Equal(2, EpochTrainer.StepsPerEpoch(100, 64));
        Assert.Equal(1, EpochTrainer.StepsPerEpoch(64, 64));
    }
}
