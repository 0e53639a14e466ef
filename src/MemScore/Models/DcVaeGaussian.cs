using MemScore.Core;
using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Diagonal Gaussian decoder head in logit space: C means and C log-variances (clamped at -7) per pixel
/// for y = logit(lambda + (1 - 2 lambda) x); log p is reported in 8-bit pixel space (METHOD.md section 4).
/// </summary>
internal sealed class GaussianDcVaeHead : DcVaeHead
{
    readonly long _channels;

    public GaussianDcVaeHead(long channels) : base(nameof(GaussianDcVaeHead))
    {
        _channels = channels;
        RegisterComponents();
    }

    public override long OutputChannels(long imageChannels) => 2 * imageChannels;

    public override Tensor LogLikelihood(Tensor output, Tensor x)
    {
        using var k = new ScalarScope();
        using var mean = output.narrow(-3, 0, _channels);
        using var rawLogVariance = output.narrow(-3, _channels, _channels);
        using var logVariance = rawLogVariance.clamp_min(k[GaussianLikelihood.MinLogVariance]);
        return GaussianLikelihood.LogitSpaceLogProbability(x, mean, logVariance);
    }

    public override Tensor Images(Tensor output, Generator noise, bool stochastic)
    {
        using var k = new ScalarScope();
        using var mean = output.narrow(-3, 0, _channels);
        using var rawLogVariance = output.narrow(-3, _channels, _channels);
        using var logVariance = rawLogVariance.clamp_min(k[GaussianLikelihood.MinLogVariance]);
        return GaussianImages.FromLogitSpace(mean, logVariance, noise, stochastic);
    }
}

/// <summary>Decoder images of the logit-space Gaussian heads.</summary>
static class GaussianImages
{
    /// <summary>Inverse logit transform of the mean, or of one Gaussian draw in logit space; clipped to [0, 1].</summary>
    public static Tensor FromLogitSpace(Tensor mean, Tensor logVariance, Generator noise, bool stochastic)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var y = mean;
        if (stochastic)
        {
            var eps = ComputeDevice.Normal(mean.shape, noise, mean.device, mean.dtype);
            y = mean.add(eps.mul_(logVariance.mul(k[0.5]).exp_()), k.One);
        }
        return LogitTransform.Inverse(y).clamp_(k[0], k[1]).MoveToOuterDisposeScope();
    }
}

/// <summary>The DC-VAE with a per-pixel diagonal Gaussian decoder in logit space (the paper's CIFAR-10 model).</summary>
internal static class GaussianDcVae
{
    public const string FamilyName = "gaussian-dc-vae";

    public static IDensityModel Create(ModelContext context) => Create(context, DcVaeOptions.For(context));

    public static IDensityModel Create(ModelContext context, DcVaeOptions options) =>
        DcVae.Create(FamilyName, context, options, channels => new GaussianDcVaeHead(channels));
}
