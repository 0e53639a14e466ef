using MemScore.Tests.Support;
using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Tests.Likelihood;

/// <summary>The logit-space Gaussian reported in 8-bit pixel space (METHOD.md section 4), checked numerically.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class GaussianLikelihoodTests
{
    const double Lambda = LogitTransform.DefaultLambda;

    static double Logit(double x) { double s = Lambda + (1 - 2 * Lambda) * x; return Math.Log(s / (1 - s)); }

    static double LogNormal(double y, double mean, double logVariance) =>
        -0.5 * (Math.Log(2 * Math.PI) + logVariance + (y - mean) * (y - mean) / Math.Exp(logVariance));

    [Fact]
    public void Pixel_space_log_p_is_the_logit_density_times_the_numeric_derivative_of_the_transform()
    {
        using var g = new Generator(11);
        using var x = rand([2, 3, 2, 2], dtype: ScalarType.Float64, generator: g).mul_(0.98).add_(0.01);
        using var mean = randn([2, 3, 2, 2], dtype: ScalarType.Float64, generator: g).mul_(2);
        using var logVariance = randn([2, 3, 2, 2], dtype: ScalarType.Float64, generator: g).sub_(1);
        var actual = GaussianLikelihood.LogitSpaceLogProbability(x, mean, logVariance).data<double>().ToArray();

        var xs = x.data<double>().ToArray();
        var ms = mean.data<double>().ToArray();
        var lvs = logVariance.data<double>().ToArray();
        const double h = 1e-5;
        for (int b = 0; b < 2; b++)
        {
            double expected = 0;
            for (int i = b * 12; i < (b + 1) * 12; i++)
            {
                double derivative = (Logit(xs[i] + h) - Logit(xs[i] - h)) / (2 * h);   // dy/dx by central differences
                expected += LogNormal(Logit(xs[i]), ms[i], lvs[i]) + Math.Log(derivative) - Math.Log(256);
            }
            // Central-difference error ~h^2 |y'''| / 6 ~ 1e-9 relative per sub-pixel over 12 sub-pixels.
            Assert.Equal(expected, actual[b], 1e-7);
        }
    }

    [Fact]
    public void Pixel_space_density_integrates_to_the_gaussian_mass_between_the_transformed_ends()
    {
        // One sub-pixel: integrating 256 p(x) over x in (0, 1) must give the Gaussian mass of y on
        // (logit(lambda), logit(1 - lambda)), the image of (0, 1) under the transform.
        const double m = 0.7, logVariance = 0.4;
        const int cells = 200_000;
        using var x = arange(0.5, cells, dtype: ScalarType.Float64).div_(cells).reshape(cells, 1, 1, 1);   // midpoints
        using var mean = full([cells, 1, 1, 1], m, ScalarType.Float64);
        using var logVar = full([cells, 1, 1, 1], logVariance, ScalarType.Float64);
        using var logP = GaussianLikelihood.LogitSpaceLogProbability(x, mean, logVar);
        double integral = logP.add(Math.Log(256)).exp().sum().item<double>() / cells;
        double sd = Math.Exp(logVariance / 2);
        using var ends = tensor(new[] { (Logit(1) - m) / sd, (Logit(0) - m) / sd }, ScalarType.Float64);
        var cdf = ends.div(Math.Sqrt(2)).erf().add_(1).div_(2).data<double>().ToArray();
        // Midpoint rule on a smooth integrand, 2e5 cells: error ~1e-11.
        Assert.Equal(cdf[0] - cdf[1], integral, 1e-8);
    }

    [Fact]
    public void Shared_log_variance_equals_the_same_value_repeated_per_pixel()
    {
        using var g = new Generator(12);
        using var x = rand([2, 3, 4, 4], dtype: ScalarType.Float64, generator: g).mul_(0.9).add_(0.05);
        using var mean = randn([5, 2, 3, 4, 4], dtype: ScalarType.Float64, generator: g);
        using var shared = tensor(new[] { -2.0 }, ScalarType.Float64);
        using var repeated = full([5, 2, 3, 4, 4], -2.0, ScalarType.Float64);
        using var a = GaussianLikelihood.LogitSpaceLogProbability(x, mean, shared);
        using var b = GaussianLikelihood.LogitSpaceLogProbability(x, mean, repeated);
        Assert.Equal([5L, 2], a.shape);
        Assert.Equal(b.data<double>().ToArray(), a.data<double>().ToArray());
    }
}
