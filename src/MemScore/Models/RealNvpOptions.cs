using MemScore.Core;
using MemScore.Likelihood;

namespace MemScore.Models;

/// <summary>
/// Options of the RealNVP flow (Dinh et al. 2017). Defaults keep a 32x32 run cheap on a CPU:
/// two scales (3 checkerboard + squeeze + 3 channel-wise couplings, factor out half; then 4 checkerboard
/// couplings), coupling networks conv3x3 - ReLU - conv1x1 - ReLU - conv3x3 with 32 hidden channels.
/// </summary>
/// <param name="Scales">Number of scales; every scale but the last halves H and W (squeeze).</param>
/// <param name="HiddenChannels">Feature maps inside each coupling network.</param>
/// <param name="Lambda">Logit-transform margin (METHOD.md section 4).</param>
/// <param name="ReducedTemperature">
/// Standard deviation of z for non-stochastic samples (<see cref="ISampleableModel.Sample"/> with
/// stochastic = false): a flow has no decoder mean, so "most likely" images are drawn at a reduced
/// temperature, as in Kingma &amp; Dhariwal (2018). 0 gives the single image at z = 0.
/// </param>
internal sealed record RealNvpOptions(int Scales = 2, int HiddenChannels = 32, double Lambda = LogitTransform.DefaultLambda,
    double ReducedTemperature = 0.7)
{
    /// <summary>Checks the options against an input shape [C, H, W].</summary>
    public void Validate(long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (Scales < 1) throw new InvalidConfigurationException($"realnvp-flow: Scales is {Scales}, expected >= 1");
        if (HiddenChannels < 1) throw new InvalidConfigurationException($"realnvp-flow: HiddenChannels is {HiddenChannels}, expected >= 1");
        if (!(Lambda > 0 && Lambda < 0.5)) throw new InvalidConfigurationException($"realnvp-flow: Lambda is {Lambda}, expected in (0, 0.5)");
        if (!(ReducedTemperature >= 0 && ReducedTemperature <= 1))
            throw new InvalidConfigurationException($"realnvp-flow: ReducedTemperature is {ReducedTemperature}, expected in [0, 1]");
        if (inputShape.Length != 3 || inputShape.Any(n => n < 1))
            throw new InvalidConfigurationException($"realnvp-flow: input shape ({string.Join(", ", inputShape)}) is not [C, H, W]");
        long divisor = 2L << (Scales - 1);   // the last scale still needs a 2x2 checkerboard
        if (inputShape[1] % divisor != 0 || inputShape[2] % divisor != 0)
            throw new InvalidConfigurationException(
                $"realnvp-flow: image size {inputShape[1]}x{inputShape[2]} must be divisible by {divisor} for {Scales} scales");
    }
}
