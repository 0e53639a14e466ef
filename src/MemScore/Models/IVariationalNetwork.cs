using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>The two halves of a VAE that the ELBO and the importance-sampling estimator need.</summary>
internal interface IVariationalNetwork
{
    int LatentDim { get; }

    /// <summary>Parameters of q(z|x) = N(mu, diag exp(logvar)): both [B, latent].</summary>
    (Tensor Mu, Tensor LogVar) Encode(Tensor x);

    /// <summary>log p(x_b | z_{s,b}) for latents z [S, B, latent] and images x [B, C, H, W]; returns [S, B].</summary>
    Tensor LogLikelihoodGivenLatent(Tensor z, Tensor x);
}

/// <summary>A variational network whose decoder can also produce images (for <see cref="ISampleableModel"/>).</summary>
internal interface IDecodingNetwork : IVariationalNetwork
{
    /// <summary>
    /// Images [N, C, H, W] in [0, 1] for latents z [N, latent]: a draw from p(x|z) when
    /// <paramref name="stochastic"/>, else the decoder's mean.
    /// </summary>
    Tensor DecodeImages(Tensor z, Generator noise, bool stochastic);
}
