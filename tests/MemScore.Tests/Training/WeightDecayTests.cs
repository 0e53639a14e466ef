using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>Decoupled weight decay (issue 16 item 1): AdamW's update, absent at 0, hashed only when set.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class WeightDecayTests
{
    /// <summary>
    /// 100 steps in float64 against AdamW written out here (Loshchilov &amp; Hutter 2019, as torch.optim.AdamW:
    /// p *= 1 - lr wd, then the Adam update) and against torch's AdamW fed the same batches.
    /// </summary>
    [Fact]
    public void Step_equals_adamw_written_out_and_torch_adamw_in_float64()
    {
        const double lr = 1e-2, wd = 0.5, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        random.manual_seed(7);
        using var ours = nn.Linear(6, 3).to(ScalarType.Float64);
        using var theirs = nn.Linear(6, 3).to(ScalarType.Float64);
        using (no_grad()) { theirs.weight!.copy_(ours.weight!); theirs.bias!.copy_(ours.bias!); }
        using var adam = new AdamOptimizer(ours.named_parameters(), lr, beta1, beta2, eps, weightDecay: wd);
        using var reference = optim.AdamW(theirs.parameters(), lr: lr, beta1: beta1, beta2: beta2, eps: eps, weight_decay: wd);
        double[] weight = ours.weight!.data<double>().ToArray();
        var m = new double[weight.Length];
        var v = new double[weight.Length];
        using var g = new Generator(17);
        for (int t = 1; t <= 100; t++)
        {
            using var scope = NewDisposeScope();
            var x = randn([8, 6], dtype: ScalarType.Float64, generator: g);
            var target = randn([8, 3], dtype: ScalarType.Float64, generator: g);
            adam.ZeroGrad();
            nn.functional.mse_loss(ours.call(x), target).backward();
            double[] grad = ours.weight!.grad!.data<double>().ToArray();
            for (int j = 0; j < weight.Length; j++)
            {
                weight[j] *= 1 - lr * wd;
                m[j] = beta1 * m[j] + (1 - beta1) * grad[j];
                v[j] = beta2 * v[j] + (1 - beta2) * grad[j] * grad[j];
                weight[j] -= lr / (1 - Math.Pow(beta1, t)) * m[j] / (Math.Sqrt(v[j]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps);
            }
            adam.StepOnce();
            reference.zero_grad();
            nn.functional.mse_loss(theirs.call(x), target).backward();
            reference.step();
        }
        double textbookDiff = ours.weight!.data<double>().ToArray().Zip(weight, (a, b) => Math.Abs(a - b)).Max();
        using var torchGap = ours.weight!.sub(theirs.weight!).abs_().max();
        double torchDiff = torchGap.item<double>();
        // The same quantities in another order: float64 round-off (~1e-16 relative per operation) over 100 steps on
        // weights of size ~0.4, as in AdamOptimizerTests; forgetting the shrink moves the weights by ~1e-3 here.
        Assert.True(textbookDiff < 1e-12, $"max |ours - AdamW written out| {textbookDiff}");
        Assert.True(torchDiff < 1e-12, $"max |ours - torch AdamW| {torchDiff}");
    }

    [Fact]
    public void Ensemble_member_gets_exactly_the_weight_decayed_update_of_a_separate_optimizer()
    {
        const double lr = 1e-2, wd = 0.3;
        using var g = new Generator(5);
        using var stacked = nn.Parameter(randn([2, 4, 3], dtype: ScalarType.Float64, generator: g));
        using var single = nn.Parameter(stacked.detach().select(0, 1).clone());
        using var ensemble = new EnsembleAdamOptimizer([("w", stacked)], 2, lr, weightDecay: wd);
        using var alone = new AdamOptimizer([("w", single)], lr, weightDecay: wd);
        for (int t = 0; t < 20; t++)
        {
            using var scope = NewDisposeScope();
            var target = randn([4, 3], dtype: ScalarType.Float64, generator: g);
            ensemble.ZeroGrad();
            alone.ZeroGrad();
            stacked.select(0, 1).sub(target).square().sum().backward();
            single.sub(target).square().sum().backward();
            ensemble.StepOnce([false, true]);   // member 0 sits out: its slice must not shrink
            alone.StepOnce();
        }
        Assert.True(stacked.detach().select(0, 1).allclose(single.detach(), rtol: 0, atol: 0));   // the same ops in the same order: bit-identical
        using var again = new Generator(5);
        using var fresh = randn([2, 4, 3], dtype: ScalarType.Float64, generator: again);
        Assert.True(stacked.detach().select(0, 0).allclose(fresh.select(0, 0), rtol: 0, atol: 0));
    }

    [Fact]
    public void Weight_decay_lowers_the_parameter_norm_of_a_trained_vae()
    {
        double Norm(double weightDecay)
        {
            var context = new ModelContext([1, 8, 8], LatentDim: 4, LearningRate: 1e-2, ImportanceSamples: 2, InitSeed: 3) { WeightDecay = weightDecay };
            using var model = (VariationalDensityModel)BernoulliMlpVae.Create(context);
            using var g = new Generator(9);
            using var data = rand([32, 1, 8, 8], generator: g).round_();
            for (int step = 0; step < 50; step++) model.TrainStep(data, g);
            return Math.Sqrt(model.Module.parameters().Sum(p => { using var s = p.detach().square().sum(); return s.item<float>(); }));
        }
        double plain = Norm(0), decayed = Norm(5);
        // 50 steps shrink every weight by (1 - 0.05)^50 ~ 0.08 before Adam's updates (each <= lr = 0.01 per step):
        // far below the plain norm whatever the data; seen in this test: see the message.
        Assert.True(decayed < 0.7 * plain, $"norm with weight decay {decayed}, without {plain}");
    }

    [Fact]
    public void Zero_is_left_out_of_the_config_so_hashes_stay_and_a_value_is_hashed()
    {
        var plain = new ExperimentConfig();
        Assert.DoesNotContain("weight-decay", plain.ToJson());
        var decayed = plain with { WeightDecay = 1e-4 };
        Assert.Contains("\"weight-decay\": 0.0001", decayed.ToJson());
        Assert.NotEqual(plain.Hash(), decayed.Hash());
        Assert.Equal(decayed, ExperimentConfig.FromJson(decayed.ToJson(), "test.json"));
    }

    [Theory]
    [InlineData(-1e-4)]
    [InlineData(double.NaN)]
    [InlineData(2000.0)]   // lr wd = 2 would flip the weights' sign every step
    public void Invalid_weight_decay_is_refused_naming_the_field(double weightDecay)
    {
        var config = new ExperimentConfig { WeightDecay = weightDecay, Device = "cpu" };
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()));
        Assert.Contains("weight-decay = ", error.Message);
        Assert.Contains("learning-rate x weight-decay < 1", error.Message);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("full")]
    public void Run_and_full_offer_the_flag_and_record_it_in_the_config(string command)
    {
        Assert.Contains("--weight-decay", CliProcess.Run(command, "--help").StdOut);
        using var dir = new TempDirectory();
        var settings = command == "run" ? new MemScore.Cli.Commands.RunSettings { WeightDecay = 0.01 } : new MemScore.Cli.Commands.FullSettings { WeightDecay = 0.01 };
        Assert.Equal(0.01, settings.ResolveConfig().WeightDecay);
    }
}
