using MemScore.Core;
using MemScore.Likelihood;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>Bernoulli decoder head: C logits per pixel, for binarized images.</summary>
internal sealed class BernoulliDcVaeHead : DcVaeHead
{
    public BernoulliDcVaeHead() : base(nameof(BernoulliDcVaeHead)) => RegisterComponents();

    public override long OutputChannels(long imageChannels) => imageChannels;

    public override Tensor LogLikelihood(Tensor output, Tensor x) => BernoulliLikelihood.LogProbability(x, output);

    /// <summary>The pixel probabilities (mean), or one Bernoulli draw per sub-pixel (stochastic).</summary>
    public override Tensor Images(Tensor output, Generator noise, bool stochastic)
    {
        var probabilities = output.sigmoid();
        if (!stochastic) return probabilities;
        using (probabilities)
        using (var u = ComputeDevice.Uniform(output.shape, noise, output.device))
        using (var draw = u.lt(probabilities))
            return draw.to_type(ScalarType.Float32);
    }
}

/// <summary>The DC-VAE with a Bernoulli decoder for binarized 32x32 images.</summary>
internal static class BernoulliDcVae
{
    public const string FamilyName = "bernoulli-dc-vae";

    public static IDensityModel Create(ModelContext context) => Create(context, DcVaeOptions.For(context));

    public static IDensityModel Create(ModelContext context, DcVaeOptions options) =>
        DcVae.Create(FamilyName, context, options, _ => new BernoulliDcVaeHead());
}
