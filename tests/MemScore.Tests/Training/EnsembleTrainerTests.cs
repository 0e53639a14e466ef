using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

public class EnsembleTrainerTests
{
    // 193 images in 3 folds (65, 64, 64 held out) leave 128, 129 and 129 training rows: with batch 64
    // one member has 2 steps per epoch and the others 3, with last batches of 1 row.
    static readonly ExperimentConfig Config = new()
    {
        Folds = 3, Repeats = 2, Epochs = 2, EvalEvery = 1, BatchSize = 64, ImportanceSamples = 8, EvalBatchSize = 80, Seed = 5, Threads = 2,
    };

    static ExperimentData Data()
    {
        using var g = new Generator(3);
        using var u = rand([193, 1, 16, 16], generator: g);
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
        TaskId[] tasks = [new(0, 0), new(0, 1), new(1, 2)];
        var ensemble = new EnsembleTrainer(Config, data, plan).Run(tasks);
        var runner = new TaskRunner(Config, data, plan, ModelRegistry.CreateDefault());
        for (int m = 0; m < tasks.Length; m++)
        {
            var expected = runner.Run(tasks[m]);
            var actual = ensemble[m];
            Assert.Equal(expected.Task, actual.Task);
            Assert.Equal(expected.ConfigHash, actual.ConfigHash);
            Assert.Equal(expected.EvaluationEpochs, actual.EvaluationEpochs);
            Assert.Equal(expected.HeldOut, actual.HeldOut);
            // Same seeds, data and order; only the summation order of batched vs single matmuls differs,
            // amplified a little by 2 epochs of Adam (MlpVaeEnsembleTests): 1e-5 relative is ~10x what is seen.
            AssertClose(actual.TrainLoss, expected.TrainLoss, 1e-5, $"{tasks[m]} train loss");
            Assert.Equal(expected.LogLikelihoods.Length, actual.LogLikelihoods.Length);
            for (int k = 0; k < expected.LogLikelihoods.Length; k++)
            {
                AssertClose(actual.LogLikelihoods[k], expected.LogLikelihoods[k], 1e-5, $"{tasks[m]} log p at evaluation {k}");
                // ESS = exp(2 lse(w) - lse(2w)) turns log-weight differences of ~1e-4 into relative ~1e-4.
                AssertClose(actual.EffectiveSampleSizes![k], expected.EffectiveSampleSizes![k], 1e-3, $"{tasks[m]} ESS at evaluation {k}");
            }
        }
    }

    [Fact]
    public void Refuses_other_models_and_duplicate_tasks()
    {
        using var data = Data();
        var plan = new FoldPlan(data.Count, Config.Folds, Config.Repeats, Config.Seed);
        var other = Config with { Model = "real-nvp" };
        Assert.False(EnsembleTrainer.Supports(other));
        Assert.Contains("model = real-nvp", Assert.Throws<InvalidConfigurationException>(() => new EnsembleTrainer(other, data, plan).Run([new(0, 0)])).Message);
        Assert.Throws<ArgumentException>(() => new EnsembleTrainer(Config, data, plan).Run([new(0, 0), new(0, 0)]));
    }
}
