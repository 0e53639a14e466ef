using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>
/// Importance-sampled log p(x) with the encoder as proposal (METHOD.md section 3):
///   log p(x) ~= logsumexp_s [log p(x|z_s) + log N(z_s; 0, I) - log q(z_s|x)] - log S,  z_s ~ q(z|x).
/// x is never copied S times: the decoder's log-likelihood broadcasts over the sample dimension.
/// </summary>
internal static class ImportanceSampler
{
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
        using var eps = DrawNoise(network, x.shape[0], samples, noise, x.device);
        return LogMarginalWithEss(network, x, eps);
    }

    /// <summary>The standard-normal noise [S, B, latent] the estimator draws for a batch of <paramref name="batchSize"/>.</summary>
    public static Tensor DrawNoise(IVariationalNetwork network, long batchSize, int samples, Generator noise, Device device)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be >= 1");
        return ComputeDevice.Normal([samples, batchSize, network.LatentDim], noise, device);
    }

    /// <summary>log p(x) and the effective sample size (below) with given noise <paramref name="eps"/> [S, B, latent].</summary>
    public static (Tensor LogP, Tensor Ess) LogMarginalWithEss(IVariationalNetwork network, Tensor x, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var (mu, logvar) = network.Encode(x);
        var z = VariationalTerms.Reparameterize(eps, mu, logvar);             // [S, B, L]
        var logLikelihood = network.LogLikelihoodGivenLatent(z, x);          // [S, B]
        var logWeights = VariationalTerms.LogImportanceWeights(logLikelihood, z, eps, logvar);
        var (logp, ess) = VariationalTerms.ImportanceEstimate(logWeights, sampleDim: 0);
        return (logp.MoveToOuterDisposeScope(), ess.MoveToOuterDisposeScope());
    }
}
