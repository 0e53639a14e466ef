using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>A variational network whose decoder can also produce images (for <see cref="ISampleableModel"/>).</summary>
internal interface IDecodingNetwork : IVariationalNetwork
{
    /// <summary>
    /// Images [N, C, H, W] in [0, 1] for latents z [N, latent]: a draw from p(x|z) when
    /// <paramref name="stochastic"/>, else the decoder's mean.
    /// </summary>
    Tensor DecodeImages(Tensor z, Generator noise, bool stochastic);
}
