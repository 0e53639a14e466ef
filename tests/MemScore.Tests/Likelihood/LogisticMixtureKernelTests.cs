using MemScore.Core;
using MemScore.Likelihood;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Likelihood;

/// <summary>
/// The fused CPU kernel against the tensor form of <see cref="DiscretizedLogisticMixture.LogProbability"/> (itself checked
/// against a direct computation and for normalisation in DiscretizedLogisticMixtureTests): float32 parameters and data,
/// the reference computed from the same float32 values in float64, so the difference is the kernel's float32 rounding.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class LogisticMixtureKernelTests
{
    /// <summary>Decoder output [2, 3, P, 4, 4] with log-scales in [-12, 6] (below the clamp to very wide), means in [-4, 4],
    /// large coefficients and logits; data with a third of the sub-pixels in the edge bins 0 and 255.</summary>
    static (Tensor Output, Tensor X) Hostile(int seed, int channels, int components)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        using var g = new Generator((ulong)seed);
        long outputChannels = DiscretizedLogisticMixture.OutputChannels(channels, components);
        var output = randn([2, 3, outputChannels, 4, 4], generator: g).mul_(k[3]);
        var logScales = output.narrow(2, components * (1 + channels), channels * components);
        logScales.copy_(rand(logScales.shape, generator: g).mul_(k[18]).sub_(k[12]));
        var levels = randint(0, 256, [3, channels, 4, 4], generator: g).to_type(ScalarType.Float32);
        var edge = rand(levels.shape, generator: g);
        var x = where(edge.lt(k[1.0 / 6]), zeros_like(levels), where(edge.gt(k[5.0 / 6]), full_like(levels, k[255]), levels)).div_(k[255]);
        return (output.MoveToOuterDisposeScope(), x.MoveToOuterDisposeScope());
    }

    static double[] Reference(Tensor output, Tensor x, int channels, int components)
    {
        using var output64 = output.to_type(ScalarType.Float64);
        using var x64 = x.to_type(ScalarType.Float64);
        using var p = DiscretizedLogisticMixture.Split(output64, channels, components);
        using var logP = DiscretizedLogisticMixture.LogProbability(x64, p);
        return logP.flatten().data<double>().ToArray();
    }

    static double[] Kernel(Tensor output, Tensor x, int channels, int components)
    {
        Assert.True(LogisticMixtureKernel.Supports(output, x));
        using var logP = LogisticMixtureKernel.LogProbability(output, x, channels, components);
        Assert.Equal(output.shape[..^3], logP.shape);
        return logP.flatten().data<float>().ToArray().Select(v => (double)v).ToArray();
    }

    [Theory]
    [InlineData(1, 3, 10)]
    [InlineData(2, 3, 3)]
    [InlineData(3, 1, 2)]
    [InlineData(4, 1, 10)]
    [InlineData(5, 2, 4)]
    public void Agrees_with_the_float64_tensor_form_on_hostile_parameters(int seed, int channels, int components)
    {
        var (output, x) = Hostile(seed, channels, components);
        using (output)
        using (x)
        {
            var expected = Reference(output, x, channels, components);
            var actual = Kernel(output, x, channels, components);
            for (int i = 0; i < expected.Length; i++)
                // Sums of 16 pixels of up to ~1e4 nats (narrow logistics far from the data) in float32: the largest
                // difference seen over these seeds was 1.1e-7 relative (4e-4 nats at -4,146); 1e-6 relative
                // (+1e-4 nats for sums near zero) is float32 rounding with 10x headroom, as the PyTorch parity tests allow.
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 + 1e-6 * Math.Abs(expected[i]),
                    $"seed {seed}, image {i}: kernel {actual[i]} vs float64 {expected[i]}");
        }
    }

    [Theory]
    [InlineData(8, 3, 10)]
    [InlineData(9, 1, 2)]
    public void Channels_last_output_gives_the_same_bits_as_contiguous(int seed, int channels, int components)
    {
        var (output, x) = Hostile(seed, channels, components);
        using (output)
        using (x)
        {
            // [2, 3, P, H, W] stored as [2, 3, H, W, P]: what the scoring decode returns, unflattened to [S, B, ...].
            using var stored = output.permute(0, 1, 3, 4, 2).contiguous();
            using var channelsLast = stored.permute(0, 1, 4, 2, 3);
            Assert.True(LogisticMixtureKernel.IsChannelsLast(channelsLast));
            Assert.False(LogisticMixtureKernel.IsChannelsLast(output));
            Assert.Equal(Kernel(output, x, channels, components), Kernel(channelsLast, x, channels, components));
        }
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var (output, x) = Hostile(6, 3, 10);
        int before = get_num_threads();
        try
        {
            using (output)
            using (x)
            {
                TorchThreads.Use(1);
                var one = Kernel(output, x, 3, 10);
                TorchThreads.Use(2);
                var two = Kernel(output, x, 3, 10);
                Assert.Equal(one, two);
            }
        }
        finally { TorchThreads.Use(before); }
    }

    [Fact]
    public void Leaves_training_other_types_and_odd_shapes_to_the_tensor_form()
    {
        var (output, x) = Hostile(7, 1, 2);
        using (output)
        using (x)
        {
            using var trained = output.detach().requires_grad_(true);
            Assert.False(LogisticMixtureKernel.Supports(trained, x));
            using var output64 = output.to_type(ScalarType.Float64);
            using var x64 = x.to_type(ScalarType.Float64);
            Assert.False(LogisticMixtureKernel.Supports(output64, x64));
            using var oddOutput = output.narrow(-1, 0, 3);
            using var oddX = x.narrow(-1, 0, 3);
            Assert.False(LogisticMixtureKernel.Supports(oddOutput, oddX));
            Assert.Throws<ArgumentException>(() => LogisticMixtureKernel.LogProbability(output, x, 1, 3));
        }
    }
}
