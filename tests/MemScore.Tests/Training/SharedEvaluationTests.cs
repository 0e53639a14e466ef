using MemScore.Tests.Support;
using MemScore.Models;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>
/// A log p(x) pass scored by its own thread and idle helpers (SharedEvaluation) gives exactly the values of the
/// single-threaded pass: each batch has the same rows and the same noise, drawn in batch order from the one generator.
/// Exact equality is the claim, so no tolerance.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class SharedEvaluationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Helpers_give_the_values_of_the_single_threaded_pass(bool someRows)
    {
        using var g = new Generator(11);
        using var uniform = rand([203, 1, 8, 8], generator: g);
        using var images = uniform.lt(uniform.mean()).to_type(ScalarType.Float32);
        int[]? rows = someRows ? Enumerable.Range(0, 203).Where(i => i % 3 != 1).ToArray() : null;
        using var model = BernoulliMlpVae.Create(new ModelContext([1, 8, 8], 4, 1e-3, 16, 1));
        var (alone, aloneEss) = EpochTrainer.Evaluate(model, images, 8, 77, "alone", 1, null, default, rows);

        var sharing = new EvaluationSharing(2);   // this thread and one helper
        var helper = new Thread(() => sharing.HelpUntilAllIdle(default)) { IsBackground = true };
        helper.Start();
        var (shared, sharedEss) = EpochTrainer.Evaluate(model, images, 8, 77, "shared", 1, null, default, rows, sharing);
        sharing.HelpUntilAllIdle(default);   // this worker is idle too: the helper returns
        Assert.True(helper.Join(TimeSpan.FromSeconds(30)), "the helper did not return once every worker was idle");

        Assert.Equal(alone, shared);
        Assert.Equal(aloneEss, sharedEss);
        Assert.Equal(someRows, double.IsNaN(shared[1]));
    }

    [Fact]
    public void The_first_failing_batch_is_the_error_reported_and_no_helper_is_left_waiting()
    {
        using var images = full([40, 1, 8, 8], float.NaN);
        using var model = BernoulliMlpVae.Create(new ModelContext([1, 8, 8], 4, 1e-3, 4, 1));
        var sharing = new EvaluationSharing(2);
        var helper = new Thread(() => sharing.HelpUntilAllIdle(default)) { IsBackground = true };
        helper.Start();
        var error = Assert.Throws<MemScore.Core.NumericalFailureException>(() =>
            EpochTrainer.Evaluate(model, images, 8, 3, "nan", 1, null, default, sharing: sharing));
        sharing.HelpUntilAllIdle(default);
        Assert.True(helper.Join(TimeSpan.FromSeconds(30)));
        Assert.Contains("log p(x) of example 0 is NaN", error.Message);
    }
}
