using MemScore.Cli.Commands;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

/// <summary>Dropout of the MLP and DC-VAE families (issue 16 item 1): seeded masks, training only, hashed only when set.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class DropoutTests
{
    static Tensor Masked(double p, ulong seed, bool training, Tensor x)
    {
        var noise = new DropoutNoise();
        using var layer = new SeededDropout(p, noise);
        layer.train(training);
        using var g = new Generator(seed);
        using var lease = noise.DrawFrom(g);
        return layer.call(x);
    }

    /// <summary>
    /// Null: each of n = 100,000 elements is dropped independently with p = 0.3. The dropped count is Binomial(n, p),
    /// sd = sqrt(n p (1 - p)) = 145; the test allows 6 sd (false-failure rate ~2e-9), seed 21.
    /// </summary>
    [Fact]
    public void Training_drops_a_share_p_and_scales_the_rest_by_one_over_one_minus_p()
    {
        using var x = ones(100_000);
        using var y = Masked(0.3, 21, training: true, x);
        float[] values = y.data<float>().ToArray();
        int dropped = values.Count(v => v == 0);
        Assert.InRange(dropped, 30_000 - 6 * 145, 30_000 + 6 * 145);
        Assert.All(values.Where(v => v != 0), v => Assert.Equal((float)(1 / 0.7), v));   // the same float product in every kept element
    }

    [Fact]
    public void Masks_come_from_the_lent_generator_and_eval_mode_is_the_identity()
    {
        using var g = new Generator(4);
        using var x = randn([64, 32], generator: g);
        using var a = Masked(0.5, 8, training: true, x);
        using var b = Masked(0.5, 8, training: true, x);
        using var c = Masked(0.5, 9, training: true, x);
        using var evaluated = Masked(0.5, 8, training: false, x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.False(a.allclose(c, rtol: 0, atol: 0));
        Assert.True(evaluated.allclose(x, rtol: 0, atol: 0));
        var noise = new DropoutNoise();
        using var unseeded = new SeededDropout(0.5, noise);
        Assert.Throws<InvalidOperationException>(() => unseeded.call(x));   // training without a lent generator
    }

    static IDensityModel Build(string model, double dropout, long[] shape)
    {
        var config = new ExperimentConfig { Model = model, LatentDim = 4, ImportanceSamples = 3, Device = "cpu" };
        if (dropout > 0) config = config with { ModelOptions = ModelOptionValues.Empty.With("dropout", dropout) };
        ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());
        return ModelRegistry.CreateDefault().Get(model).Create(config.ModelContextFor(shape, initSeed: 5));
    }

    [Theory]
    [InlineData("bernoulli-mlp-vae")]
    [InlineData("bernoulli-dc-vae")]
    [InlineData("gaussian-dc-vae")]
    public void Training_steps_depend_on_the_seeded_masks_and_scoring_is_deterministic(string family)
    {
        long[] shape = [1, 32, 32];
        using var g = new Generator(2);
        using var batch = rand([4, 1, 32, 32], generator: g).round_().clamp_(0.05, 0.95);
        double Step(double dropout, ulong seed)
        {
            using var model = Build(family, dropout, shape);
            using var noise = new Generator(seed);
            return model.TrainStep(batch, noise);
        }
        Assert.Equal(Step(0.5, 1), Step(0.5, 1));   // same task seed, same masks: bit-identical
        Assert.NotEqual(Step(0.5, 1), Step(0, 1));  // the masks change the loss
        using var model = Build(family, 0.5, shape);
        using (var noise = new Generator(1)) model.TrainStep(batch, noise);
        using var first = model.LogLikelihood(batch, new Generator(3));
        using var second = model.LogLikelihood(batch, new Generator(3));
        Assert.True(first.allclose(second, rtol: 0, atol: 0));           // eval mode: no mask, same importance samples
        Assert.Equal("0.5", model.Describe().Settings["dropout"]);
    }

    [Fact]
    public void Dropout_zero_adds_no_layers_and_leaves_the_description_and_hash_alone()
    {
        using var plain = (VariationalDensityModel)Build("bernoulli-dc-vae", 0, [1, 32, 32]);
        using var dropped = (VariationalDensityModel)Build("bernoulli-dc-vae", 0.2, [1, 32, 32]);
        Assert.DoesNotContain(plain.Module.modules(), m => m is SeededDropout);
        Assert.Equal(8, dropped.Module.modules().Count(m => m is SeededDropout));   // after the 4 encoder and 4 decoder activations
        Assert.False(plain.Describe().Settings.ContainsKey("dropout"));
        var config = new ExperimentConfig();
        Assert.Equal(ConfigLayout.Flat, ConfigLayout.Of(config));
        Assert.NotEqual(config.Hash(), (config with { ModelOptions = ModelOptionValues.Empty.With("dropout", 0.1) }).Hash());
    }

    [Theory]
    [InlineData("bernoulli-mlp-vae", "dropout=1", "model-options.dropout = 1: expected a number in [0, 0.9]")]
    [InlineData("gaussian-dc-vae", "dropout=-0.1", "model-options.dropout = -0.1: expected a number in [0, 0.9]")]
    public void Out_of_range_dropout_is_refused(string model, string assignment, string message)
    {
        var config = new RunSettings { Model = model, Device = "cpu", ModelOptions = [assignment] }.ResolveConfig();
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Fold_ensembles_refuse_model_options_such_as_dropout()
    {
        var config = new PlanSettings { FoldEnsembles = true, Device = "cpu", ModelOptions = ["dropout=0.1"] }.ResolveConfig();
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()));
        Assert.Contains("fold-ensembles = true: expected no model-options", error.Message);
    }

    static readonly string[] Tiny = ["--limit", "120", "--folds", "2", "--repeats", "1", "--epochs", "2", "--is-samples", "4", "--threads", "1",
        "--model-option", "dropout=0.3", "--weight-decay", "0.01", "--top", "0"];

    /// <summary>Dropout masks come from each task's own generator, so tasks trained side by side draw what they draw alone.</summary>
    [Fact]
    public void One_and_two_workers_write_identical_task_files_with_dropout_and_weight_decay()
    {
        using var dir = new TempDirectory();
        TaskFiles.RunWithOneAndTwoWorkers(dir, Tiny);
        TaskFiles.AssertSame(dir["1"], dir["2"], 2);
    }

    /// <summary>Every epoch's generators are seeded afresh, so a task killed after a checkpoint and resumed draws the same masks.</summary>
    [Fact]
    public void A_killed_and_resumed_run_with_dropout_writes_the_task_files_of_an_uninterrupted_one()
    {
        using var dir = new TempDirectory();
        var (whole, resumed) = TaskFiles.RunWholeAndKilledAfterCheckpoint(dir, [.. Tiny, "--workers", "1"]);
        TaskFiles.AssertSame(whole, resumed, 2);
    }
}
