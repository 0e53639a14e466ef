using MemScore.Tests.Support;
using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Tests.Likelihood;

/// <summary>
/// The discretized logistics are probability distributions over the 256 values: the probabilities sum to
/// one, whatever the parameters. Float64 sums of 256 terms are exact to ~1e-13 and float32 ones to ~1e-6,
/// so the 1e-5 tolerance fails only when mass is lost or double counted (e.g. a wrong edge bin).
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class DiscretizedLogisticMixtureTests
{
    static Tensor AllValues(ScalarType dtype) => arange(0, 256, dtype: dtype).div_(255);   // k / 255

    [Theory]
    [InlineData(0, ScalarType.Float64)]
    [InlineData(1, ScalarType.Float64)]
    [InlineData(2, ScalarType.Float32)]
    [InlineData(3, ScalarType.Float32)]
    public void Single_logistic_probabilities_of_all_256_values_sum_to_one(int seed, ScalarType dtype)
    {
        using var g = new Generator((ulong)seed);
        // Random parameters plus extremes: means far outside [-1, 1], scales below the clamp and very wide.
        var means = rand(40, dtype: ScalarType.Float64, generator: g).mul_(6).sub_(3).data<double>().ToList();
        var logScales = rand(40, dtype: ScalarType.Float64, generator: g).mul_(12).sub_(8).data<double>().ToList();
        means.AddRange([-1, 1, 0, 50, -50, 0.999, 0]);
        logScales.AddRange([-20, -7, 10, -7, -7, -7, 30]);
        using var x = AllValues(dtype).unsqueeze(0);                                     // [1, 256]
        using var mean = tensor(means.ToArray(), [means.Count, 1]).to_type(dtype);
        using var logScale = tensor(logScales.ToArray(), [logScales.Count, 1]).to_type(dtype);
        using var logP = DiscretizedLogisticMixture.BinLogProbability(x, mean, logScale);   // [N, 256]
        Assert.True(logP.isfinite().all().item<bool>(), "a log-probability is not finite");
        var totals = logP.to_type(ScalarType.Float64).exp().sum(1).data<double>().ToArray();
        for (int i = 0; i < totals.Length; i++)
            Assert.True(Math.Abs(totals[i] - 1) <= 1e-5, $"mean {means[i]}, log-scale {logScales[i]}: total probability {totals[i]}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Grey_mixture_of_ten_over_all_256_values_sums_to_one(int seed)
    {
        const int components = 10;
        using var g = new Generator((ulong)seed);
        // 256 one-pixel images with the same random decoder output (means and log-scales spread widely).
        using var output = randn([1, DiscretizedLogisticMixture.OutputChannels(1, components), 1, 1], dtype: ScalarType.Float64, generator: g).mul_(3);
        using var p = DiscretizedLogisticMixture.Split(output, 1, components);
        using var x = AllValues(ScalarType.Float64).reshape(256, 1, 1, 1);
        using var logP = DiscretizedLogisticMixture.LogProbability(x, p);               // [256]
        Assert.Equal(1.0, logP.exp().sum().item<double>(), 1e-5);
    }

    [Fact]
    public void Rgb_mixture_matches_a_direct_computation_per_pixel()
    {
        // Written out from the definition in plain doubles: per pixel log sum_j pi_j prod_c P(x_c | location_cj, s_cj),
        // green's location shifted by tanh(coef_0) r, blue's by tanh(coef_1) r + tanh(coef_2) g; pixels add up.
        const int k = 3;
        using var g = new Generator(6);
        using var output = randn([1, DiscretizedLogisticMixture.OutputChannels(3, k), 1, 2], dtype: ScalarType.Float64, generator: g);
        using var x = randint(0, 256, [1, 3, 1, 2], dtype: ScalarType.Float64, generator: g).div_(255);
        using var p = DiscretizedLogisticMixture.Split(output, 3, k);
        double actual = DiscretizedLogisticMixture.LogProbability(x, p).item<double>();

        var o = output.data<double>().ToArray();                       // layout [channel index, pixel]
        double Out(int channel, int pixel) => o[channel * 2 + pixel];
        var values = x.data<double>().ToArray();
        double expected = 0;
        for (int pixel = 0; pixel < 2; pixel++)
        {
            double[] v = [.. Enumerable.Range(0, 3).Select(c => 2 * values[c * 2 + pixel] - 1)];
            double[] logits = [.. Enumerable.Range(0, k).Select(j => Out(j, pixel))];
            double logNormalizer = Math.Log(logits.Sum(Math.Exp));
            double mixture = 0;
            for (int j = 0; j < k; j++)
            {
                double Mean(int c) => Out(k + c * k + j, pixel);
                double LogScale(int c) => Out(k + 3 * k + c * k + j, pixel);
                double Coefficient(int pair) => Math.Tanh(Out(k + 6 * k + pair * k + j, pixel));
                double[] location = [Mean(0), Mean(1) + Coefficient(0) * v[0], Mean(2) + Coefficient(1) * v[0] + Coefficient(2) * v[1]];
                double product = Math.Exp(logits[j] - logNormalizer);
                for (int c = 0; c < 3; c++) product *= BinProbability(v[c], location[c], Math.Exp(LogScale(c)));
                mixture += product;
            }
            expected += Math.Log(mixture);
        }
        // Both in float64 from the same parameters; the direct CDF difference loses ~1e-13 relative here.
        Assert.Equal(expected, actual, 1e-9);
    }

    static double Sigmoid(double t) => 1 / (1 + Math.Exp(-t));

    static double BinProbability(double value, double location, double scale)
    {
        double upper = value > 1 - 1e-9 ? 1 : Sigmoid((value + 1 / 255.0 - location) / scale);
        double lower = value < -1 + 1e-9 ? 0 : Sigmoid((value - 1 / 255.0 - location) / scale);
        return upper - lower;
    }

    [Fact]
    public void Probability_mass_sits_where_the_logistic_puts_it()
    {
        // A narrow logistic centred on a bin's value puts almost all its mass in that bin: with s = e^-7 the
        // bin half-width 1/255 is 4.3 scales, so P = 1 - 2 sigmoid(-4.3) = 0.973 (computed by hand).
        using var x = tensor(new[] { 100 / 255.0, 101 / 255.0, 0.0, 1.0 }, ScalarType.Float64);
        using var mean = full([4], 2 * 100 / 255.0 - 1, ScalarType.Float64);
        using var logScale = full([4], -7.0, ScalarType.Float64);
        var logP = DiscretizedLogisticMixture.BinLogProbability(x, mean, logScale).data<double>().ToArray();
        var p = logP.Select(Math.Exp).ToArray();
        double halfWidthInScales = Math.Exp(7) / 255;
        Assert.Equal(1 - 2 / (1 + Math.Exp(halfWidthInScales)), p[0], 1e-12);
        // The neighbouring bin spans h to 3 h scales from the mean (h = half width in scales).
        double neighbour = 1 / (1 + Math.Exp(-3 * halfWidthInScales)) - 1 / (1 + Math.Exp(-halfWidthInScales));
        Assert.Equal(neighbour, p[1], 1e-12);
        // Far tails underflow as probabilities (e^-855) but not as logs: log sigmoid(a) = a - log(1 + e^a) ~ a.
        double centre = 2 * 100 / 255.0 - 1;
        double upperEdgeOfBin0 = (-1 + 1 / 255.0 - centre) * Math.Exp(7);
        double lowerEdgeOfBin255 = (1 - 1 / 255.0 - centre) * Math.Exp(7);
        Assert.Equal(upperEdgeOfBin0, logP[2], 1e-9);
        Assert.Equal(-lowerEdgeOfBin255, logP[3], 1e-9);
    }

    [Fact]
    public void Decoder_output_layout_is_logits_means_log_scales_coefficients()
    {
        Assert.Equal(100, DiscretizedLogisticMixture.OutputChannels(3, 10));   // PixelCNN++: 10 K for RGB
        Assert.Equal(30, DiscretizedLogisticMixture.OutputChannels(1, 10));    // grey: logit, mean, log-scale
        using var output = arange(0, 20, dtype: ScalarType.Float32).reshape(1, 20, 1, 1);   // C = 3, K = 2
        using var p = DiscretizedLogisticMixture.Split(output, 3, 2);
        Assert.Equal([0f, 1f], p.Logits.flatten().data<float>().ToArray());
        Assert.Equal([1L, 3, 2, 1, 1], p.Means.shape);
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 7f], p.Means.flatten().data<float>().ToArray());        // channel-major: (c0: k0 k1), (c1: ...)
        Assert.Equal([8f, 9f, 10f, 11f, 12f, 13f], p.LogScales.flatten().data<float>().ToArray());
        Assert.Equal([14f, 15f, 16f, 17f, 18f, 19f], p.Coefficients!.flatten().data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => DiscretizedLogisticMixture.Split(output, 1, 2));
    }
}
