using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Discretized logistic mixture head for 8-bit images (k / 255). Output layout per pixel
/// (<see cref="DiscretizedLogisticMixture.Split"/>): K mixture logits, C K means, C K log-scales and
/// C(C-1)/2 K channel coefficients; 10 K channels for RGB (PixelCNN++), 3 K for grey (logit, mean, log-scale).
/// </summary>
internal sealed class LogisticMixtureDcVaeHead : DcVaeHead
{
    public const int DefaultComponents = 10;

    readonly long _channels;
    readonly int _components;

    public LogisticMixtureDcVaeHead(long channels, int components = DefaultComponents) : base(nameof(LogisticMixtureDcVaeHead))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        _channels = channels;
        _components = components;
        RegisterComponents();
    }

    public override long OutputChannels(long imageChannels) => DiscretizedLogisticMixture.OutputChannels(imageChannels, _components);

    /// <summary>Scoring on the CPU (no autograd) takes the fused kernel; training, other devices and float64 the tensor form.</summary>
    public override Tensor LogLikelihood(Tensor output, Tensor x)
    {
        if (LogisticMixtureKernel.Supports(output, x)) return LogisticMixtureKernel.LogProbability(output, x, _channels, _components);
        using var parameters = DiscretizedLogisticMixture.Split(output, _channels, _components);
        return DiscretizedLogisticMixture.LogProbability(x, parameters);
    }

    public override Tensor Images(Tensor output, Generator noise, bool stochastic)
    {
        using var parameters = DiscretizedLogisticMixture.Split(output, _channels, _components);
        return stochastic ? DiscretizedLogisticMixture.Sample(parameters, noise) : DiscretizedLogisticMixture.Mean(parameters);
    }

    public override bool ReadsChannelsLast => LogisticMixtureKernel.ReadsChannelsLast;

    public override IEnumerable<KeyValuePair<string, string>> Settings => [new("mixture_components", _components.ToString())];
}

/// <summary>The DC-VAE with a discretized mixture-of-logistics decoder for 8-bit images.</summary>
internal static class LogisticMixtureDcVae
{
    public const string FamilyName = "mol-dc-vae";

    public static IDensityModel Create(ModelContext context) =>
        Create(context, DcVaeOptions.For(context));

    public static IDensityModel Create(ModelContext context, DcVaeOptions options, int components = LogisticMixtureDcVaeHead.DefaultComponents) =>
        DcVae.Create(FamilyName, context, options, channels => new LogisticMixtureDcVaeHead(channels, components));
}
