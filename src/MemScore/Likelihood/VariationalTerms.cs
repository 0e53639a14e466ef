using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>
/// The Gaussian-latent terms every VAE here shares, written once: the reparameterised draw, the
/// closed-form KL to the prior, and the importance weights and estimate of log p(x) (METHOD.md
/// section 3). Every argument may carry leading dimensions (fold-ensemble members, samples): the
/// operations broadcast and reduce only over the latent (last) dimension or the named sample dimension.
/// </summary>
internal static class VariationalTerms
{
    static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>z = mu + exp(logvar / 2) * eps, the reparameterisation of q(z|x) = N(mu, diag exp(logvar)).</summary>
    public static Tensor Reparameterize(Tensor eps, Tensor mu, Tensor logvar)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        return eps.mul(logvar.mul(k[0.5]).exp()).add_(mu, k.One).MoveToOuterDisposeScope();
    }

    /// <summary>KL(N(mu, diag exp(logvar)) || N(0, I)) = -1/2 sum (1 + logvar - mu^2 - exp(logvar)) (Kingma &amp; Welling 2014, appendix B).</summary>
    public static Tensor KlToStandardNormal(Tensor mu, Tensor logvar)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        return logvar.add(k[1], k.One).sub_(mu.pow(k[2])).sub_(logvar.exp()).sum(-1).mul_(k[-0.5]).MoveToOuterDisposeScope();
    }

    /// <summary>The negative ELBO, KL - log p(x|z), with <paramref name="reconstruction"/> = log p(x|z) of one draw.</summary>
    public static Tensor NegativeElbo(Tensor reconstruction, Tensor mu, Tensor logvar)
    {
        using var kl = KlToStandardNormal(mu, logvar);
        return kl.sub(reconstruction);
    }

    /// <summary>
    /// float64 log w = log p(x|z) + log N(z; 0, I) - log q(z|x) for z = mu + sigma * eps; the proposal's
    /// exponent is exactly -eps^2/2. <paramref name="logvar"/> must broadcast against <paramref name="eps"/> [..., S, B, L].
    /// </summary>
    public static Tensor LogImportanceWeights(Tensor logLikelihood, Tensor z, Tensor eps, Tensor logvar)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var logPrior = z.pow(k[2]).add_(k[Log2Pi], k.One).sum(-1).mul_(k[-0.5]);
        var logProposal = eps.pow(k[2]).add_(logvar, k.One).add_(k[Log2Pi], k.One).sum(-1).mul_(k[-0.5]);
        return logLikelihood.add(logPrior, k.One).sub_(logProposal).to_type(ScalarType.Float64).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log p(x) ~= logsumexp_s log w_s - log S over <paramref name="sampleDim"/>, and the effective sample size
    /// (sum w)^2 / sum w^2 = exp(2 logsumexp(log w) - logsumexp(2 log w)), between 1 and S.
    /// </summary>
    public static (Tensor LogP, Tensor Ess) ImportanceEstimate(Tensor logWeights, long sampleDim)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        long samples = logWeights.shape[sampleDim];
        var logSum = logWeights.logsumexp(sampleDim);
        var ess = logSum.mul(k[2]).sub_(logWeights.mul(k[2]).logsumexp(sampleDim)).exp_();
        var logp = logSum.sub(k[Math.Log(samples)]);
        return (logp.MoveToOuterDisposeScope(), ess.MoveToOuterDisposeScope());
    }
}
