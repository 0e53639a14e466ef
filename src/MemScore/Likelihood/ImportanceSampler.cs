using MemScore.Core;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>
/// Importance-sampled log p(x) with the encoder as proposal (METHOD.md section 3):
///   log p(x) ~= logsumexp_s [log p(x|z_s) + log N(z_s; 0, I) - log q(z_s|x)] - log S,  z_s ~ q(z|x).
/// x is never copied S times: the decoder's log-likelihood broadcasts over the sample dimension.
/// </summary>
public static class ImportanceSampler
{
    static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>Returns float64 [B]. Noise is drawn as one [S, B, latent] block from <paramref name="noise"/>.</summary>
    public static Tensor LogMarginal(IVariationalNetwork network, Tensor x, int samples, Generator noise)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be >= 1");
        using var eps = ComputeDevice.Normal([samples, x.shape[0], network.LatentDim], noise, x.device);
        return LogMarginal(network, x, eps);
    }

    /// <summary>The same with given standard-normal noise <paramref name="eps"/> [S, B, latent] (used by parity tests).</summary>
    public static Tensor LogMarginal(IVariationalNetwork network, Tensor x, Tensor eps)
    {
        var (logp, ess) = LogMarginalWithEss(network, x, eps);
        ess.Dispose();
        return logp;
    }

    /// <summary>
    /// log p(x) and the effective sample size of the importance weights, (sum w)^2 / sum w^2 =
    /// exp(2 logsumexp(log w) - logsumexp(2 log w)), between 1 (one sample dominates) and S.
    /// </summary>
    public static (Tensor LogP, Tensor Ess) LogMarginal(IVariationalNetwork network, Tensor x, int samples, Generator noise, bool withEss)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be >= 1");
        using var eps = ComputeDevice.Normal([samples, x.shape[0], network.LatentDim], noise, x.device);
        return LogMarginalWithEss(network, x, eps);
    }

    static (Tensor LogP, Tensor Ess) LogMarginalWithEss(IVariationalNetwork network, Tensor x, Tensor eps)
    {
        int samples = (int)eps.shape[0];
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var (mu, logvar) = network.Encode(x);
        var z = eps.mul(logvar.mul(k[0.5]).exp()).add_(mu, k.One);               // [S, B, L]
        var logPrior = z.pow(k[2]).add_(k[Log2Pi], k.One).sum(-1).mul_(k[-0.5]);  // log N(z; 0, I)
        // log q(z|x) with z = mu + sigma * eps: the Gaussian's exponent is exactly -eps^2/2.
        var logProposal = eps.pow(k[2]).add_(logvar, k.One).add_(k[Log2Pi], k.One).sum(-1).mul_(k[-0.5]);
        var logLikelihood = network.LogLikelihoodGivenLatent(z, x);             // [S, B]
        var logWeights = logLikelihood.add(logPrior, k.One).sub_(logProposal).to_type(ScalarType.Float64);
        var logSum = logWeights.logsumexp(0);
        var ess = logSum.mul(k[2]).sub_(logWeights.mul(k[2]).logsumexp(0)).exp_();
        var result = logSum.sub(k[Math.Log(samples)]);
        return (result.MoveToOuterDisposeScope(), ess.MoveToOuterDisposeScope());
    }
}
