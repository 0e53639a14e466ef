using MemScore.Cli.Commands;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using MemScore.Training.Privacy;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training.Privacy;

/// <summary>DP-SGD of the Bernoulli MLP VAE (issue 16 item 1): clipping, noise, Poisson epochs, config, CLI.</summary>
public class DpSgdTests
{
    const int Batch = 6, Latent = 3;

    static VariationalDensityModel Model(long seed) =>
        (VariationalDensityModel)BernoulliMlpVae.Create(new ModelContext([1, 4, 4], Latent, 1e-3, 4, seed, CPU));

    static Tensor Images()
    {
        using var g = new Generator(5);
        using var u = rand([Batch, 1, 4, 4], generator: g);
        return u.gt(0.5).to_type(ScalarType.Float32);
    }

    /// <summary>Each example's gradient by autograd on that example alone (the per-example loop), flattened over all parameters.</summary>
    static double[][] PerExampleGradients(VariationalDensityModel model, Tensor images, Tensor eps)
    {
        var result = new double[Batch][];
        for (int i = 0; i < Batch; i++)
        {
            using var scope = NewDisposeScope();
            model.Optimizer.ZeroGrad();
            model.NegativeElbo(images.narrow(0, i, 1), eps.narrow(0, i, 1)).backward();
            result[i] = model.Module.parameters().SelectMany(p => { using var g = p.grad!; return g.to_type(ScalarType.Float64).flatten().data<double>().ToArray(); }).ToArray();
        }
        model.Optimizer.ZeroGrad();
        return result;
    }

    static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    /// <summary>
    /// Norms from activations and output gradients against the per-example loop. Float32 forward and backward; the two
    /// sum the same products in different orders, so relative 1e-4 (observed differences are ~1e-6).
    /// </summary>
    [Fact]
    public void Per_example_norms_equal_the_per_example_loop()
    {
        using var model = Model(11);
        using var images = Images();
        using var eps = randn([Batch, Latent], generator: new Generator(3));
        double[] expected = PerExampleGradients(model, images, eps).Select(Norm).ToArray();
        using var norms = new PerExampleGradientNorms(model.Module);
        using var total = model.NegativeElbo(images, eps);
        using var actual = norms.Norms(total);
        double[] values = actual.data<double>().ToArray();
        for (int i = 0; i < Batch; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) <= 1e-4 * expected[i], $"example {i}: {values[i]:R} vs loop {expected[i]:R}");
    }

    /// <summary>
    /// The gradient a DP step leaves (noise std 0) is sum_i min(1, C / ||g_i||) g_i of the per-example loop; C is the median
    /// norm so some examples are clipped and some are not. Relative 1e-4 of the sum's norm (float32, as above).
    /// </summary>
    [Fact]
    public void Clipped_step_gradient_equals_the_clipped_sum_of_the_per_example_loop()
    {
        using var model = Model(11);
        using var images = Images();
        Tensor eps;
        using (var g = new Generator(9)) eps = ComputeDevice.Normal([Batch, Latent], g, CPU);
        var perExample = PerExampleGradients(model, images, eps);
        double clip = perExample.Select(Norm).Order().ElementAt(Batch / 2);
        var expected = new double[perExample[0].Length];
        foreach (var g in perExample)
        {
            double w = Math.Min(1, clip / Norm(g));
            for (int k = 0; k < g.Length; k++) expected[k] += w * g[k];
        }
        using var noise = new Generator(9);
        using var privacy = new Generator(1);
        model.PrivateTrainStep(images, noise, privacy, new DpSgdStep(clip, 0));
        double[] actual = model.Module.parameters().SelectMany(p => { using var g = p.grad!; return g.to_type(ScalarType.Float64).flatten().data<double>().ToArray(); }).ToArray();
        double error = Math.Sqrt(actual.Zip(expected, (a, b) => (a - b) * (a - b)).Sum());
        Assert.True(error <= 1e-4 * Norm(expected), $"|clipped step - loop| = {error:R}, |loop| = {Norm(expected):R}");
        eps.Dispose();
    }

    /// <summary>
    /// The noise is N(0, (sigma C)^2) per coordinate: the difference of two steps with the same batch and training noise,
    /// with and without privacy noise, has sd sigma C. Null: ~300 k iid normal coordinates; their sample sd is within 1%
    /// of the truth with probability 1 - 1e-300 or so (sd of the estimate 0.13%), seed 4.
    /// </summary>
    [Fact]
    public void Noise_on_the_summed_gradient_has_sd_sigma_times_clip()
    {
        using var images = Images();
        double[] Gradient(double std)
        {
            using var model = Model(11);
            using var noise = new Generator(9);
            using var privacy = new Generator(4);
            model.PrivateTrainStep(images, noise, privacy, new DpSgdStep(0.5, std));
            return model.Module.parameters().SelectMany(p => { using var g = p.grad!; return g.to_type(ScalarType.Float64).flatten().data<double>().ToArray(); }).ToArray();
        }
        double[] clean = Gradient(0), noisy = Gradient(1.3 * 0.5);
        double sd = Math.Sqrt(noisy.Zip(clean, (a, b) => (a - b) * (a - b)).Average());
        Assert.InRange(sd, 0.65 * 0.99, 0.65 * 1.01);
    }

    [Fact]
    public void Dp_fields_enter_the_hash_only_when_set()
    {
        var plain = new ExperimentConfig();
        Assert.DoesNotContain("dp-", plain.ToJson());
        Assert.NotEqual(plain.Hash(), (plain with { DpNoiseMultiplier = 1.0 }).Hash());
        Assert.NotEqual((plain with { DpNoiseMultiplier = 1.0 }).Hash(), (plain with { DpNoiseMultiplier = 1.0, DpClip = 2 }).Hash());
    }

    [Fact]
    public void Other_families_and_bad_values_are_refused()
    {
        var settings = new RunSettings { Model = "bernoulli-dc-vae", Device = "cpu", DpNoiseMultiplier = 1 };
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(settings.ResolveConfig(), DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()));
        Assert.Contains("model = bernoulli-dc-vae: DP-SGD (dp-noise-multiplier / dp-epsilon) trains only bernoulli-mlp-vae", error.Message);
        var both = new RunSettings { Device = "cpu", DpNoiseMultiplier = 1, DpEpsilon = 2, DpClip = -1 }.ResolveConfig();
        var errors = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(both, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault())).Message;
        Assert.Contains("dp-epsilon = 2: expected either dp-noise-multiplier or dp-epsilon, not both", errors);
        Assert.Contains("dp-clip = -1: expected a finite number > 0", errors);
        var orphan = new RunSettings { Device = "cpu", DpDelta = 1e-6 }.ResolveConfig();
        Assert.Contains("dp-delta = 1E-06: expected together with dp-noise-multiplier or dp-epsilon",
            Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(orphan, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault())).Message);
    }

    /// <summary>Sampling and noise are seeded per epoch and the Adam step count of an epoch is fixed (ceil(n/B) steps, empty
    /// batches included), so a run killed after a checkpoint and resumed writes the task files of an uninterrupted one.</summary>
    [Fact]
    public void A_killed_and_resumed_dp_run_writes_the_task_files_of_an_uninterrupted_one()
    {
        using var dir = new TempDirectory();
        var (whole, resumed) = TaskFiles.RunWholeAndKilledAfterCheckpoint(dir, [.. Tiny, "--workers", "1"]);
        TaskFiles.AssertSame(whole, resumed, 2);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("full")]
    public void Run_and_full_offer_the_flags_and_record_them_in_the_config(string command)
    {
        string help = CliProcess.Run(command, "--help").StdOut;
        foreach (string flag in new[] { "--dp-noise-multiplier", "--dp-epsilon", "--dp-clip", "--dp-delta" }) Assert.Contains(flag, help);
        var settings = command == "run" ? new RunSettings { DpEpsilon = 4, DpDelta = 1e-6 } : new FullSettings { DpEpsilon = 4, DpDelta = 1e-6 };
        var config = settings.ResolveConfig();
        Assert.Equal((4.0, 1e-6), (config.DpEpsilon!.Value, config.DpDelta!.Value));
        Assert.True(config.IsPrivate());
    }

    static readonly string[] Tiny = ["--limit", "120", "--folds", "2", "--repeats", "1", "--epochs", "2", "--is-samples", "4", "--threads", "1",
        "--dp-noise-multiplier", "0.8", "--dp-clip", "2", "--batch-size", "16", "--top", "0"];

    /// <summary>Poisson sampling and noise come from each task's seeds: one and two workers write identical task files,
    /// and run.json states the epsilon the accountant gives for the fold models.</summary>
    [Fact]
    public void One_and_two_workers_write_identical_task_files_and_run_json_states_epsilon()
    {
        using var dir = new TempDirectory();
        TaskFiles.RunWithOneAndTwoWorkers(dir, Tiny);
        TaskFiles.AssertSame(dir["1"], dir["2"], 2);
        var privacy = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir["1"], "run.json")))!["privacy"]!;
        double q = 16 / 60.0;   // 120 examples, 2 folds: 60 training examples per model
        double expected = SampledGaussianAccountant.Epsilon(q, 0.8, 2 * 4, 1e-5);
        Assert.Equal(expected, privacy["epsilon"]!.GetValue<double>(), 12);
        Assert.Equal(0.8, privacy["noise_multiplier"]!.GetValue<double>());
        var report = CliProcess.Run(["report", dir["1"]]);
        Assert.True(report.ExitCode == 0, report.StdErr);
        string html = File.ReadAllText(Path.Combine(dir["1"], "report", "index.html"));
        Assert.Contains(FormattableString.Invariant($"<b>Differential privacy.</b> DP-SGD: (epsilon, delta) = ({expected:0.##}, 1e-05) per fold model, noise multiplier 0.8"), html);
    }
}
