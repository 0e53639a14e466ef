using MemScore.Tests.Support;
using MemScore.Likelihood;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Likelihood;

/// <summary>
/// A linear-Gaussian latent model has an exact marginal: z ~ N(0, I_L), x | z ~ N(Wz + b, s^2 I_D)
/// gives x ~ N(b, W W^T + s^2 I). The proposal is a deliberately imperfect diagonal Gaussian
/// (the true posterior has full covariance), so the estimator has real variance to average out.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class ImportanceSamplerTests
{
    sealed class LinearGaussianModel : IVariationalNetwork
    {
        public readonly Tensor W = tensor(new double[] { 1.0, 0.5, -0.3, 0.8, 0.2, -1.0, 0.7, 0.1, -0.6, 0.4 }, [5, 2]);
        public readonly Tensor B = tensor(new double[] { 0.1, -0.2, 0.3, 0.0, 0.5 }, [5]);
        public const double NoiseStd = 0.6;

        public int LatentDim => 2;

        public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
        {
            // Exact posterior mean; diagonal of the posterior covariance inflated by 1.5.
            using var precision = eye(2, dtype: ScalarType.Float64) + W.t().matmul(W) / (NoiseStd * NoiseStd);
            using var covariance = linalg.inv(precision);
            var mean = (x.reshape(x.shape[0], -1) - B).matmul(W).matmul(covariance) / (NoiseStd * NoiseStd);
            var logvar = (covariance.diagonal() * 1.5).log().expand(x.shape[0], 2).clone();
            return (mean, logvar);
        }

        public Tensor LogLikelihoodGivenLatent(Tensor z, Tensor x)
        {
            var mean = z.to_type(ScalarType.Float64).matmul(W.t()) + B;                 // [S, B, D]
            var residual = (x.reshape(x.shape[0], -1) - mean) / NoiseStd;
            return (residual.square() + Math.Log(2 * Math.PI * NoiseStd * NoiseStd)).sum(-1) * -0.5;
        }

        public double ExactLogMarginal(Tensor x)
        {
            using var covariance = W.matmul(W.t()) + eye(5, dtype: ScalarType.Float64) * (NoiseStd * NoiseStd);
            using var centred = x.reshape(-1) - B;
            double quadratic = centred.dot(linalg.solve(covariance, centred)).item<double>();
            double logDet = linalg.slogdet(covariance).Item2.item<double>();
            return -0.5 * (5 * Math.Log(2 * Math.PI) + logDet + quadratic);
        }
    }

    [Fact]
    public void Estimate_is_within_three_standard_errors_of_the_exact_marginal()
    {
        var model = new LinearGaussianModel();
        using var x = tensor(new double[] { 0.9, -0.4, 1.2, 0.3, -0.5 }, [1, 5]);
        double exact = model.ExactLogMarginal(x);
        // p(x)-scale ratios exp(estimate - exact) are unbiased for 1; average 40 independent estimates.
        const int repeats = 40;
        var ratios = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            using var generator = new Generator((ulong)(1000 + r));
            using var estimate = ImportanceSampler.LogMarginal(model, x, samples: 64, generator);
            ratios[r] = Math.Exp(estimate.item<double>() - exact);
        }
        double mean = ratios.Average();
        double standardError = Math.Sqrt(ratios.Sum(v => (v - mean) * (v - mean)) / (repeats - 1) / repeats);
        Assert.True(standardError > 0, "the proposal is imperfect, so estimates must vary");
        Assert.InRange(mean, 1 - 3 * standardError, 1 + 3 * standardError);
    }

    [Fact]
    public void Many_samples_converge_to_the_exact_marginal()
    {
        var model = new LinearGaussianModel();
        using var x = tensor(new double[] { -0.2, 0.4, 0.0, 1.1, 0.6 }, [1, 5]);
        using var generator = new Generator(7);
        using var estimate = ImportanceSampler.LogMarginal(model, x, samples: 50000, generator);
        // Relative weight variance here is O(0.1), so with 5e4 samples the error is ~1e-3 nats.
        Assert.Equal(model.ExactLogMarginal(x), estimate.item<double>(), 0.01);
    }

    [Fact]
    public void Batched_examples_are_independent_of_their_neighbours()
    {
        var model = new LinearGaussianModel();
        using var x = tensor(new double[] { 0.9, -0.4, 1.2, 0.3, -0.5, 5, 5, 5, 5, 5 }, [2, 5]);
        using var g = new Generator(3);
        using var both = ImportanceSampler.LogMarginal(model, x, 20000, g);
        Assert.Equal(model.ExactLogMarginal(x[0]), both[0].item<double>(), 0.02);
        Assert.Equal(model.ExactLogMarginal(x[1]), both[1].item<double>(), 0.5);
        Assert.True(both[1].item<double>() < both[0].item<double>());
    }

    [Fact]
    public void Effective_sample_size_lies_in_one_to_S_and_logp_is_unchanged()
    {
        var model = new LinearGaussianModel();
        using var x = tensor(new double[] { 0.9, -0.4, 1.2, 0.3, -0.5, 5, 5, 5, 5, 5 }, [2, 5]);
        using var g1 = new Generator(21);
        using var g2 = new Generator(21);
        using var plain = ImportanceSampler.LogMarginal(model, x, 200, g1);
        var (logp, ess) = ImportanceSampler.LogMarginal(model, x, 200, g2, withEss: true);
        using (logp) using (ess)
        {
            Assert.Equal(plain.data<double>().ToArray(), logp.data<double>().ToArray());
            var values = ess.data<double>().ToArray();
            Assert.All(values, v => Assert.InRange(v, 1.0, 200.0));
            // The far-away second point has a much worse proposal than the first.
            Assert.True(values[1] < values[0], $"ESS {values[0]} vs {values[1]}");
        }
    }

    [Fact]
    public void Equal_weights_give_an_effective_sample_size_of_S()
    {
        // A proposal equal to the prior and a likelihood that ignores z: every weight is the same.
        var flat = new FlatModel();
        using var x = zeros(3, 4);
        using var g = new Generator(1);
        var (logp, ess) = ImportanceSampler.LogMarginal(flat, x, 50, g, withEss: true);
        using (logp) using (ess)
            Assert.All(ess.data<double>().ToArray(), v => Assert.Equal(50.0, v, 6));
    }

    sealed class FlatModel : IVariationalNetwork
    {
        public int LatentDim => 2;
        public (Tensor Mu, Tensor LogVar) Encode(Tensor x) => (zeros(x.shape[0], 2), zeros(x.shape[0], 2));
        public Tensor LogLikelihoodGivenLatent(Tensor z, Tensor x) => zeros(z.shape[0], z.shape[1]);
    }
}
