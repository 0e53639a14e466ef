using MemScore.Tests.Support;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Tests.Execution;

/// <summary>
/// The family sanity pass of issue 18 items 17 and 22: generic over <see cref="ModelFamily"/>, it refuses a
/// family that fails on the data's shape (naming family and shape) and what cannot fit in memory (naming
/// the flags), with the memory given explicitly so the tests do not depend on the machine.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class ModelSanityCheckTests
{
    static ExperimentData Binary(int n, params long[] shape)
    {
        using var generator = new Generator(7);
        using var uniform = rand([n, .. shape], generator: generator);
        return ExperimentData.FromScored(uniform.lt(0.5).to_type(ScalarType.Float32));
    }

    static ModelFamily Family(string name) => ModelRegistry.CreateDefault().Get(name);

    /// <summary>A rerun that only aggregates (every task has its result) builds no model; one with a task left to train does.</summary>
    [Fact]
    public void A_rerun_with_every_task_result_runs_no_sanity_pass_and_one_with_a_task_missing_does()
    {
        int passes = 0;
        var real = Family("bernoulli-mlp-vae");
        var counted = real with { Name = "counted-mlp-vae", SanityBatch = (model, batch, noise) => { passes++; real.SanityBatch(model, batch, noise); } };
        var executor = new LocalExecutor(DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault().Add(counted));
        var config = new ExperimentConfig { Model = "counted-mlp-vae", Limit = 60, Folds = 2, Repeats = 1, Epochs = 1, ImportanceSamples = 2 };
        using var dir = new TempDirectory();
        executor.Run(new RunRequest(config, dir["run"]));
        Assert.Equal(1, passes);
        byte[] scores = File.ReadAllBytes(dir["run/scores.csv"]);
        File.Delete(dir["run/scores.csv"]);
        executor.Run(new RunRequest(config, dir["run"]));
        Assert.Equal(1, passes);
        Assert.Equal(scores, File.ReadAllBytes(dir["run/scores.csv"]));
        File.Delete(dir["run/tasks/r0_f1.npz"]);
        executor.Run(new RunRequest(config, dir["run"]));
        Assert.Equal(2, passes);
        Assert.Equal(scores, File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [Fact]
    public void A_family_that_fails_on_the_shape_is_refused_naming_family_shape_and_cause()
    {
        var broken = new ModelFamily("broken-family", "fails on any input", _ => throw new InvalidOperationException("mat1 and mat2 shapes cannot be multiplied\nstack"));
        using var data = Binary(4, 1, 28, 28);
        var e = Assert.Throws<MemScoreException>(() => ModelSanityCheck.Run(new ExperimentConfig(), broken, data, workers: 1));
        Assert.Equal(ErrorKind.InvalidConfiguration, e.Kind);
        Assert.Contains("model = broken-family does not work on input 1x28x28", e.Message);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied", e.Message);
        Assert.DoesNotContain("stack", e.Message);
    }

    [Fact]
    public void A_dc_vae_on_28x28_is_refused_and_on_32x32_passes()
    {
        var config = new ExperimentConfig
        {
            Model = "bernoulli-dc-vae", ModelOptions = ModelOptionValues.Empty.With("feature-maps", 4), LatentDim = 2, ImportanceSamples = 2,
        };
        using (var small = Binary(4, 1, 28, 28))
        {
            var e = Assert.Throws<MemScoreException>(() => ModelSanityCheck.Run(config, Family("bernoulli-dc-vae"), small, workers: 1));
            Assert.Contains("model = bernoulli-dc-vae does not work on input 1x28x28", e.Message);
        }
        using var padded = Binary(4, 1, 32, 32);
        ModelSanityCheck.Run(config, Family("bernoulli-dc-vae"), padded, workers: 1);
    }

    [Fact]
    public void Importance_samples_beyond_memory_are_refused_naming_the_flags()
    {
        using var data = Binary(4, 1, 32, 32);
        var config = new ExperimentConfig { ImportanceSamples = 64 };
        // 4 examples x 64 samples x 1024 floats = 1 MiB at least per model.
        var e = Assert.Throws<InvalidConfigurationException>(() => ModelSanityCheck.Run(config, Family("bernoulli-mlp-vae"), data, workers: 1, memoryBytes: 512 << 10));
        Assert.Contains("is-samples = 64 with eval-batch-size = 128", e.Message);
        Assert.Contains("lower --is-samples or --eval-batch-size", e.Message);
    }

    [Fact]
    public void A_model_that_fits_once_but_not_per_worker_is_refused_naming_the_workers()
    {
        using var data = Binary(4, 1, 32, 32);
        var config = new ExperimentConfig { ImportanceSamples = 2 };
        // The MLP VAE holds about 1.3 M parameters: ~21 MB with gradients and Adam moments.
        long memory = 40L << 20;
        ModelSanityCheck.Run(config, Family("bernoulli-mlp-vae"), data, workers: 1, memoryBytes: memory);
        var e = Assert.Throws<InvalidConfigurationException>(() => ModelSanityCheck.Run(config, Family("bernoulli-mlp-vae"), data, workers: 4, memoryBytes: memory));
        Assert.Contains("model = bernoulli-mlp-vae", e.Message);
        Assert.Contains("x 4 workers", e.Message);
        Assert.Contains("fewer --workers", e.Message);
    }
}
