using MemScore.Tests.Support;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class EnsembleTrainerTests
{
    // 97 images in 3 folds (33, 32, 32 held out) leave 64, 65 and 65 training rows: with batch 32 fold 0's
    // task has 2 steps per epoch and the others 3, the last with 1 row.
    static readonly ExperimentConfig Config = new()
    {
        Folds = 3, Repeats = 2, Epochs = 2, EvalEvery = 1, BatchSize = 32, ImportanceSamples = 8, EvalBatchSize = 40, Seed = 5, Threads = 2,
    };

    static ExperimentData Data()
    {
        using var g = new Generator(3);
        using var u = rand([97, 1, 16, 16], generator: g);
        return ExperimentData.FromScored(u.lt(0.3).to_type(ScalarType.Float32));
    }

    static void AssertClose(double[] actual, double[] expected, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= relative * Math.Abs(expected[i]), $"{what}[{i}]: ensemble {actual[i]}, separate {expected[i]}");
    }

    [Fact]
    public void Task_results_equal_separate_task_runs_within_round_off()
    {
        set_num_threads(2);
        using var data = Data();
        var plan = new FoldPlan(data.Count, Config.Folds, Config.Repeats, Config.Seed);
        TaskId[] tasks = [new(0, 0), new(1, 2)];
        var runner = new TaskRunner(Config, data, plan, ModelRegistry.CreateDefault());
        var ensemble = runner.RunEnsemble(tasks);
        for (int m = 0; m < tasks.Length; m++)
        {
            var expected = runner.Run(tasks[m]);
            var actual = ensemble[m];
            Assert.Equal(expected.Task, actual.Task);
            Assert.Equal(expected.ConfigHash, actual.ConfigHash);
            Assert.Equal(expected.EvaluationEpochs, actual.EvaluationEpochs);
            Assert.Equal(expected.HeldOut, actual.HeldOut);
            // Same seeds, data and order; only the summation order of batched vs single matmuls differs.
            // Training losses agree to ~1e-7 relative; 1e-5 leaves room for 2 epochs of Adam.
            AssertClose(actual.TrainLoss, expected.TrainLoss, 1e-5, $"{tasks[m]} train loss");
            Assert.Equal(expected.LogLikelihoods.Length, actual.LogLikelihoods.Length);
            for (int k = 0; k < expected.LogLikelihoods.Length; k++)
            {
                // Adam turns round-off in near-zero gradients into updates of ~lr (MlpVaeEnsembleTests), which can
                // shift a whole model slightly: seen up to 5e-5 median and 3.4e-4 max relative (~0.06 of ~170 nats)
                // for one task of three, ~1e-7 for the others. Bounds: median 2e-4, max 2e-3. Another noise
                // stream or training order moves log p by ~1e-2 relative with S = 8.
                AssertMedianAndMax(actual.LogLikelihoods[k], expected.LogLikelihoods[k], 2e-4, 2e-3, $"{tasks[m]} log p at evaluation {k}");
                // ESS = exp(2 lse(log w) - lse(2 log w)) magnifies the same log-weight differences ~100x.
                AssertMedianAndMax(actual.EffectiveSampleSizes![k], expected.EffectiveSampleSizes![k], 1e-2, 5e-2, $"{tasks[m]} ESS at evaluation {k}");
            }
        }
    }

    static void AssertMedianAndMax(double[] actual, double[] expected, double median, double max, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var relative = actual.Zip(expected, (a, b) => Math.Abs(a - b) / Math.Abs(b)).Order().ToArray();
        Assert.True(relative[relative.Length / 2] <= median, $"{what}: median relative difference {relative[relative.Length / 2]}");
        Assert.True(relative[^1] <= max, $"{what}: max relative difference {relative[^1]}");
    }

    [Fact]
    public void Refuses_other_models_and_duplicate_tasks()
    {
        using var data = Data();
        var plan = new FoldPlan(data.Count, Config.Folds, Config.Repeats, Config.Seed);
        var other = Config with { Model = "real-nvp" };
        Assert.False(EnsembleTrainer.Supports(other));
        Assert.Contains("model = real-nvp", Assert.Throws<InvalidConfigurationException>(
            () => new TaskRunner(other, data, plan, ModelRegistry.CreateDefault()).RunEnsemble([new(0, 0)])).Message);
        Assert.Throws<ArgumentException>(() => new TaskRunner(Config, data, plan, ModelRegistry.CreateDefault()).RunEnsemble([new(0, 0), new(0, 0)]));
    }
}
