using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>The two halves of a VAE that the ELBO and the importance-sampling estimator need.</summary>
internal interface IVariationalNetwork
{
    int LatentDim { get; }

    /// <summary>Parameters of q(z|x) = N(mu, diag exp(logvar)): both [B, latent].</summary>
    (Tensor Mu, Tensor LogVar) Encode(Tensor x);

    /// <summary>log p(x_b | z_{s,b}) for latents z [S, B, latent] and images x [B, C, H, W]; returns [S, B].</summary>
    Tensor LogLikelihoodGivenLatent(Tensor z, Tensor x);
}
