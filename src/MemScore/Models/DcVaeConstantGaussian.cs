using MemScore.Core;
using MemScore.Likelihood;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Gaussian decoder head in logit space with C means per pixel and one learned log-variance shared by
/// all sub-pixels (initialised at -2, as in the paper's CelebA model; METHOD.md section 4).
/// </summary>
internal sealed class ConstantGaussianDcVaeHead : DcVaeHead
{
    public const double InitialLogVariance = -2;

    readonly Parameter logVariance;

    public ConstantGaussianDcVaeHead() : base(nameof(ConstantGaussianDcVaeHead))
    {
        using (var k = new ScalarScope())
            logVariance = nn.Parameter(full([1], k[InitialLogVariance]));   // shape [1]: stored like any other array in checkpoints
        RegisterComponents();
    }

    public override long OutputChannels(long imageChannels) => imageChannels;

    public override Tensor LogLikelihood(Tensor output, Tensor x) =>
        GaussianLikelihood.LogitSpaceLogProbability(x, output, logVariance);

    public override Tensor Images(Tensor output, Generator noise, bool stochastic) =>
        GaussianImages.FromLogitSpace(output, logVariance, noise, stochastic);
}

/// <summary>The DC-VAE with a constant-variance Gaussian decoder in logit space (the paper's CelebA model).</summary>
internal static class ConstantGaussianDcVae
{
    public const string FamilyName = "constant-gaussian-dc-vae";

    public static IDensityModel Create(ModelContext context) => Create(context, DcVaeOptions.For(context));

    public static IDensityModel Create(ModelContext context, DcVaeOptions options) =>
        DcVae.Create(FamilyName, context, options, _ => new ConstantGaussianDcVaeHead());
}
