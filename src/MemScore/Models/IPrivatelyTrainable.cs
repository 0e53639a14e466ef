using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>One DP-SGD step's constants: clip norm C and the standard deviation sigma C of the noise on the summed gradient.</summary>
internal readonly record struct DpSgdStep(double Clip, double NoiseStd);

/// <summary>A model that can take a DP-SGD step (Abadi et al. 2016): per-example clipping, summed, plus Gaussian noise.</summary>
internal interface IPrivatelyTrainable
{
    /// <summary>
    /// One optimizer step on sum_i min(1, C / ||grad_i||) grad_i + N(0, (sigma C)^2 I) over the examples of
    /// <paramref name="batch"/> (which may be empty: then the step is noise alone). Training noise (latent draws, dropout)
    /// from <paramref name="noise"/>, the privacy noise from <paramref name="privacyNoise"/>.
    /// </summary>
    /// <returns>Mean loss per example of the batch (0 for an empty batch); NaN when it is not finite (nothing is updated then).</returns>
    double PrivateTrainStep(Tensor batch, Generator noise, Generator privacyNoise, DpSgdStep step);
}
