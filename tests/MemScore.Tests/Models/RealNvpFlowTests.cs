using MemScore.Tests.Support;
using MemScore.Core;
using MemScore.Likelihood;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class RealNvpFlowTests
{
    static readonly RealNvpOptions Small = new(Scales: 2, HiddenChannels: 8);

    /// <summary>
    /// A float64 flow whose parameters are all drawn from U(-0.3, 0.3): a fresh flow is the identity
    /// (zero last convolutions), which would make the Jacobian checks trivial.
    /// </summary>
    static RealNvpFlow RandomFloat64Flow(long[] shape, ulong seed)
    {
        var network = new RealNvpNetwork(Small, shape, ScalarType.Float64);
        using var g = new Generator(seed);
        using (no_grad())
            foreach (var p in network.parameters()) p.uniform_(-0.3, 0.3, g);
        return new RealNvpFlow(network, 1e-3);
    }

    /// <summary>Central-difference Jacobian [D, D] of a map of [B, C, H, W] to [B, D], all columns in one batch.</summary>
    static Tensor NumericJacobian(Func<Tensor, Tensor> map, Tensor at, double step)
    {
        using var scope = NewDisposeScope();
        long d = at.numel();
        var shift = eye(d, dtype: ScalarType.Float64).mul_(step).reshape([d, .. at.shape[1..]]);
        var plus = map(at.add(shift));
        var minus = map(at.sub(shift));
        // Row j of plus - minus is dz/dinput_j; transpose so rows are outputs.
        return plus.sub(minus).div_(2 * step).t().contiguous().MoveToOuterDisposeScope();
    }

    static double LogAbsDet(Tensor jacobian)
    {
        var (sign, logAbs) = linalg.slogdet(jacobian);
        using (sign)
        using (logAbs)
            return logAbs.item<double>();
    }

    [Fact]
    public void Log_determinant_equals_that_of_the_numeric_jacobian()
    {
        using var flow = RandomFloat64Flow([2, 4, 4], 5);
        using var g = new Generator(6);
        using var y = randn([1, 2, 4, 4], dtype: ScalarType.Float64, generator: g);
        double reported;
        using (no_grad())
        {
            var (z, logDet) = flow.Network.Forward(y);
            using (z) using (logDet) reported = logDet.item<double>();
        }
        double numeric;
        using (no_grad())
        using (var jacobian = NumericJacobian(t => flow.Network.Forward(t).Z, y, 1e-5))
            numeric = LogAbsDet(jacobian);
        // The check must be able to fail: random couplings change volume noticeably.
        Assert.True(Math.Abs(numeric) > 0.1, $"log|det| {numeric} too close to 0 for a meaningful check");
        // Central differences with step 1e-5 in float64: truncation ~1e-10 and round-off ~1e-11 per entry,
        // a 32x32 determinant of a well-conditioned matrix amplifies that to well under 1e-6.
        Assert.True(Math.Abs(reported - numeric) < 1e-6, $"reported {reported}, numeric {numeric}");
    }

    [Fact]
    public void Log_likelihood_is_the_numeric_change_of_variables_from_pixels_to_the_base()
    {
        using var flow = RandomFloat64Flow([1, 4, 4], 7);
        using var g = new Generator(8);
        using var x = rand([1, 1, 4, 4], dtype: ScalarType.Float64, generator: g).mul_(0.9).add_(0.05);
        const int D = 16;
        Tensor ToBase(Tensor pixels)
        {
            using var y = LogitTransform.Forward(pixels, 0.05);
            var (z, logDet) = flow.Network.Forward(y);
            logDet.Dispose();
            return z;
        }
        double expected;
        using (no_grad())
        using (var jacobian = NumericJacobian(ToBase, x, 1e-6))
        using (var z = ToBase(x))
        {
            double squared = z.square().sum().item<double>();
            expected = -0.5 * squared - 0.5 * D * Math.Log(2 * Math.PI) + LogAbsDet(jacobian) - D * Math.Log(256);
        }
        using var logP = flow.LogLikelihood(x, new Generator(0));
        Assert.Equal(ScalarType.Float64, logP.dtype);
        // Step 1e-6 on x in [0.05, 0.95]: the logit's third derivative stays below ~2e4, so entry errors
        // are ~1e-8; summed into a 16x16 log-determinant that stays well under 1e-5 nats.
        Assert.True(Math.Abs(logP.item<double>() - expected) < 1e-5, $"model {logP.item<double>()}, numeric {expected}");
    }

    [Fact]
    public void A_fresh_flow_is_the_identity_so_log_p_is_a_normal_in_logit_space_mapped_to_pixels()
    {
        using var flow = (RealNvpFlow)RealNvpFlow.Create(new ModelContext([1, 4, 4], 0, 1e-3, 0, 3));
        double[] pixels = Enumerable.Range(0, 16).Select(i => (i * 16 + 0.5) / 256.0).ToArray();
        using var x = tensor(pixels, [1, 1, 4, 4]);
        // Independent float64 arithmetic: s = 0.05 + 0.9 x, y = log(s / (1 - s)),
        // log P = sum [log N(y) + log 0.9 - log s - log(1 - s) - log 256].
        double expected = pixels.Sum(p =>
        {
            double s = 0.05 + 0.9 * p, y = Math.Log(s / (1 - s));
            return -0.5 * y * y - 0.5 * Math.Log(2 * Math.PI) + Math.Log(0.9) - Math.Log(s) - Math.Log(1 - s) - Math.Log(256);
        });
        using var logP = flow.LogLikelihood(x, new Generator(0));
        // float32 model over 16 terms of magnitude ~5: relative round-off ~1e-6.
        Assert.Equal(expected, logP.item<double>(), 1e-3);
    }

    [Fact]
    public void Inverse_undoes_forward()
    {
        using var flow = RandomFloat64Flow([2, 8, 8], 9);
        using var g = new Generator(10);
        using var y = randn([3, 2, 8, 8], dtype: ScalarType.Float64, generator: g).mul_(2);
        using var _ = no_grad();
        var (z, logDet) = flow.Network.Forward(y);
        using (z) using (logDet)
        using (var back = flow.Network.Inverse(z))
        {
            double error = back.sub(y).abs().max().item<double>();
            // Each coupling's inverse recomputes s, t from identical inputs: error is float64 round-off.
            Assert.True(error < 1e-10, $"max |inverse(forward(y)) - y| = {error}");
        }
    }

    [Fact]
    public void Samples_are_finite_images_in_the_unit_interval()
    {
        using var flow = RandomFloat64Flow([3, 8, 8], 11);
        using var g = new Generator(12);
        using var stochastic = flow.Sample(20, g, stochastic: true);
        using var cooled = flow.Sample(20, g, stochastic: false);
        foreach (var samples in new[] { stochastic, cooled })
        {
            Assert.Equal(new long[] { 20, 3, 8, 8 }, samples.shape);
            Assert.Equal(ScalarType.Float32, samples.dtype);
            Assert.True(samples.isfinite().all().item<bool>());
            Assert.True(samples.min().item<float>() >= 0 && samples.max().item<float>() <= 1);
        }
        // Reduced temperature (0.7) draws z closer to 0, so images vary less across draws.
        double spreadStochastic = stochastic.std(0).mean().item<float>();
        double spreadCooled = cooled.std(0).mean().item<float>();
        Assert.True(spreadCooled < spreadStochastic, $"cooled spread {spreadCooled}, stochastic {spreadStochastic}");
    }

    [Fact]
    public void Zero_temperature_gives_the_single_image_at_z_zero()
    {
        var network = new RealNvpNetwork(Small with { ReducedTemperature = 0 }, [1, 4, 4]);
        using (var g = new Generator(2)) network.Initialize(g);
        using var flow = new RealNvpFlow(network, 1e-3);
        using var samples = flow.Sample(4, new Generator(1), stochastic: false);
        // A fresh flow is the identity: z = 0 -> y = 0 -> x = (sigmoid(0) - 0.05) / 0.9 = 0.5.
        Assert.True(samples.sub(0.5).abs().max().item<float>() < 1e-6);
    }

    /// <summary>64 dequantized 8x8 images: bright bars (horizontal or vertical) on a dark background.</summary>
    static Tensor BarImages(Generator g)
    {
        var levels = new float[64 * 64];
        for (int n = 0; n < 64; n++)
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++)
                    levels[n * 64 + i * 8 + j] = (n % 2 == 0 ? i : j) % 4 < 2 ? 220 : 30;
        using var k = tensor(levels, [64, 1, 8, 8]);
        using var u = rand([64, 1, 8, 8], generator: g);
        return k.add(u).div_(256);
    }

    [Fact]
    public void Adam_steps_on_structured_images_raise_the_log_likelihood()
    {
        using var flow = RealNvpFlow.Create(new ModelContext([1, 8, 8], 0, 1e-2, 0, 13), Small);
        using var g = new Generator(14);
        using var x = BarImages(g);
        using var before = flow.LogLikelihood(x, g);
        double firstLoss = flow.TrainStep(x, g);
        // The first step's loss is the mean negative log-likelihood of the same batch before the step
        // (the same float32 computation, train vs eval mode with no mode-dependent layers; 1e-3 covers round-off).
        Assert.Equal(-before.mean().item<double>(), firstLoss, 1e-3);
        for (int step = 1; step < 6; step++) flow.TrainStep(x, g);
        using var after = flow.LogLikelihood(x, g);
        double gain = after.mean().item<double>() - before.mean().item<double>();
        // The bars take two intensity levels, far from the initial logit-space N(0, 1); evaluation is exact and
        // deterministic, so any gain is real. 20 nats (0.3 per sub-pixel; 6 steps gave 38 here)
        // asks for learning, not a lucky step.
        Assert.True(gain > 20, $"mean log p gain {gain} nats");
    }

    [Fact]
    public void Same_seed_gives_bit_identical_initial_weights_and_a_different_seed_does_not()
    {
        using var a = (RealNvpFlow)RealNvpFlow.Create(new ModelContext([1, 8, 8], 0, 1e-3, 0, 21));
        using var b = (RealNvpFlow)RealNvpFlow.Create(new ModelContext([1, 8, 8], 0, 1e-3, 0, 21));
        using var c = (RealNvpFlow)RealNvpFlow.Create(new ModelContext([1, 8, 8], 0, 1e-3, 0, 22));
        var pa = a.Network.parameters().ToArray();
        var pb = b.Network.parameters().ToArray();
        var pc = c.Network.parameters().ToArray();
        Assert.All(pa.Zip(pb), p => Assert.True(p.First.equal(p.Second).all().item<bool>()));
        Assert.Contains(pa.Zip(pc), p => !p.First.equal(p.Second).all().item<bool>());
    }

    [Fact]
    public void Checkpoint_restores_log_p_and_training_bit_identically()
    {
        using var a = RealNvpFlow.Create(new ModelContext([1, 8, 8], 0, 1e-2, 0, 31), Small);
        using var g = new Generator(32);
        using var x = BarImages(g);
        for (int i = 0; i < 3; i++) a.TrainStep(x, g);
        using var b = RealNvpFlow.Create(new ModelContext([1, 8, 8], 0, 1e-2, 0, 33), Small);
        using (var fresh = b.LogLikelihood(x, g))
        using (var trained = a.LogLikelihood(x, g))
            Assert.False(fresh.equal(trained).all().item<bool>());   // the load below has something to do
        b.LoadState(a.SaveState(), "flow.npz");
        using (var la = a.LogLikelihood(x, g))
        using (var lb = b.LogLikelihood(x, g))
            Assert.True(la.equal(lb).all().item<bool>());
        Assert.Equal(3, b.Optimizer.Step);
        Assert.Equal(a.TrainStep(x, g), b.TrainStep(x, g));   // Adam moments restored too
    }

    [Fact]
    public void Options_that_do_not_fit_the_image_are_refused_with_the_size()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => RealNvpFlow.Create(new ModelContext([1, 6, 6], 0, 1e-3, 0, 1)));
        Assert.Contains("6x6 must be divisible by 4", error.Message);
        Assert.Throws<InvalidConfigurationException>(() => new RealNvpOptions(HiddenChannels: 0).Validate([1, 8, 8]));
        Assert.Throws<InvalidConfigurationException>(() => new RealNvpOptions(ReducedTemperature: 1.5).Validate([1, 8, 8]));
    }

    [Fact]
    public void Registered_as_a_dequantized_input_family()
    {
        var family = ModelRegistry.CreateDefault().Get("realnvp-flow");
        Assert.Equal(InputKind.Dequantized, family.Input);
        using var model = family.Create(new ModelContext([3, 32, 32], 0, 1e-3, 0, 1));
        Assert.IsAssignableFrom<ISampleableModel>(model);
        Assert.IsAssignableFrom<ICheckpointable>(model);
    }
}
