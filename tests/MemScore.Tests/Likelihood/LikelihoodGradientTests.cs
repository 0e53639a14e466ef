using MemScore.Tests.Support;
using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Tests.Likelihood;

/// <summary>
/// Every hand-written likelihood against float64 central finite differences (step 1e-6). The truncation
/// error is O(step^2 f''') ~ 1e-12 and the rounding error O(1e-16 |f| / step) ~ 1e-8 for |f| ~ 100, so
/// a relative tolerance of 1e-6 (see <see cref="GradientCheck"/>) fails only on a wrong derivative.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class LikelihoodGradientTests
{
    static Tensor Normal(long[] shape, int seed, double scale = 1, double shift = 0)
    {
        using var g = new Generator((ulong)seed);
        return randn(shape, dtype: ScalarType.Float64, generator: g).mul_(scale).add_(shift);
    }

    static Tensor Dequantized(long[] shape, int seed)
    {
        using var g = new Generator((ulong)seed);
        using var k = randint(0, 256, shape, dtype: ScalarType.Float64, generator: g);
        using var u = rand(shape, dtype: ScalarType.Float64, generator: g);
        return k.add(u).div_(256);
    }

    static Tensor EightBit(long[] shape, int seed)
    {
        using var g = new Generator((ulong)seed);
        using var k = randint(0, 256, shape, dtype: ScalarType.Float64, generator: g);
        k.index_put_(tensor(0.0, ScalarType.Float64), TensorIndex.Ellipsis, TensorIndex.Slice(0, 1));        // first column: k = 0
        k.index_put_(tensor(255.0, ScalarType.Float64), TensorIndex.Ellipsis, TensorIndex.Slice(-1, null));  // last column: k = 255
        return k.div(255);
    }

    /// <summary>k / 255 for k = 0, 15, ..., 255 plus 255 again: interior bins and both CDF tails.</summary>
    static Tensor EveryFifteenthValueAndTheEdges()
    {
        using var k = arange(0, 256, 15, dtype: ScalarType.Float64);
        using var last = tensor(new[] { 255.0 }, ScalarType.Float64);
        using var all = cat([k, last], 0);
        return all.div(255);
    }

    [Fact]
    public void Gaussian_in_logit_space_with_jacobian()
    {
        long[] shape = [2, 3, 2, 2];
        using var x = Dequantized(shape, 1);
        using var mean = Normal(shape, 2, 2);
        using var logVariance = Normal(shape, 3, 1, -1);   // stays above the -7 clamp of the heads
        // x included: its gradient runs through the logit transform and the log-Jacobian term.
        GradientCheck.Check(a => GaussianLikelihood.LogitSpaceLogProbability(a[0], a[1], a[2]), [x, mean, logVariance], [0, 1, 2]);
    }

    [Fact]
    public void Gaussian_with_one_shared_log_variance_and_sample_dimension()
    {
        using var x = Dequantized([2, 3, 2, 2], 4);
        using var mean = Normal([3, 2, 3, 2, 2], 5, 2);   // [S, B, C, H, W]
        using var logVariance = tensor(new[] { -2.0 }, ScalarType.Float64);
        GradientCheck.Check(a => GaussianLikelihood.LogitSpaceLogProbability(a[0], a[1], a[2]), [x, mean, logVariance], [1, 2]);
    }

    [Fact]
    public void Bernoulli_logits()
    {
        using var g = new Generator(6);
        using var x = rand([2, 1, 3, 3], dtype: ScalarType.Float64, generator: g).lt(0.5).to_type(ScalarType.Float64);
        using var logits = Normal([2, 2, 1, 3, 3], 7, 3);
        GradientCheck.Check(a => BernoulliLikelihood.LogProbability(a[0], a[1]), [x, logits], [1]);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(1, 3)]
    public void Discretized_logistic_mixture_all_decoder_outputs(int channels, int components)
    {
        long outputs = DiscretizedLogisticMixture.OutputChannels(channels, components);
        using var x = EightBit([1, channels, 1, 4], 8);   // columns 0 and 3 are the edge bins, 1 and 2 interior
        using var output = Normal([1, outputs, 1, 4], 9, 1.5);   // log-scales ~ N(0, 1.5^2): far from the -7 clamp
        GradientCheck.Check(a =>
        {
            using var p = DiscretizedLogisticMixture.Split(a[1], channels, components);
            return DiscretizedLogisticMixture.LogProbability(a[0], p);
        }, [x, output], [1]);
    }

    [Theory]
    [InlineData(-6.5, 0.0)]    // narrow logistic: bins far from the mean are deep in the tails
    [InlineData(-6.5, 0.9)]
    [InlineData(0.0, -0.3)]
    [InlineData(4.0, 0.5)]     // very wide logistic: every bin is tiny
    [InlineData(-2.0, 3.0)]    // mean outside [-1, 1]
    public void Single_discretized_logistic_at_extreme_scales_and_means(double logScale, double mean)
    {
        using var x = EveryFifteenthValueAndTheEdges();
        using var means = full(x.shape, mean, ScalarType.Float64);
        using var logScales = full(x.shape, logScale, ScalarType.Float64);
        GradientCheck.Check(a => DiscretizedLogisticMixture.BinLogProbability(a[0], a[1], a[2]), [x, means, logScales], [1, 2]);
    }
}
