namespace MemScore.Models;

/// <summary>The model-options of the DC-VAE families (METHOD.md section 4: F = 32; 10 logistics per pixel).</summary>
internal sealed record DcVaeFamilyOptions(int FeatureMaps = DcVaeOptions.DefaultFeatureMaps, int MixtureComponents = LogisticMixtureDcVaeHead.DefaultComponents,
    double Dropout = 0);

/// <summary>The four DC-VAE families: one network, four decoder heads; all take feature-maps and dropout, mol-dc-vae also mixture-components.</summary>
internal static class DcVaeFamilies
{
    public const int MaxFeatureMaps = 256;
    public const int MaxMixtureComponents = 100;

    static ModelOptionSchema<DcVaeFamilyOptions> Width() => new ModelOptionSchema<DcVaeFamilyOptions>(new())
        .Integer("feature-maps", "F, the DC-VAE width: feature maps of the first convolution (the paper's 32)",
            o => o.FeatureMaps, (o, v) => o with { FeatureMaps = v }, min: 1, max: MaxFeatureMaps)
        .Dropout(o => o.Dropout, (o, v) => o with { Dropout = v });

    /// <summary>Where the PyTorch module with the same state_dict names is (--export-pytorch).</summary>
    const string PyTorchModule = "for_family(model, channels, feature-maps, latent-dim, mixture-components) of examples/torchscript/paper_dc_vae.py " +
        "(with dropout: with_dropout of examples/torchscript/load_exported.py)";

    static DcVaeOptions Network(ModelContext c, DcVaeFamilyOptions o) => DcVaeOptions.For(c, o.FeatureMaps, o.Dropout);

    public static readonly ModelFamily Bernoulli = ModelFamily.WithOptions(BernoulliDcVae.FamilyName,
        "DC-VAE (F = 32 feature maps) with a Bernoulli decoder for binarized 32x32 images",
        Width(), (c, o) => BernoulliDcVae.Create(c, Network(c, o)), InputKind.Binary) with { PyTorchModule = PyTorchModule };

    public static readonly ModelFamily Gaussian = ModelFamily.WithOptions(GaussianDcVae.FamilyName,
        "DC-VAE with a per-pixel diagonal Gaussian decoder in logit space (paper's CIFAR-10 model); log p in 8-bit pixel space",
        Width(), (c, o) => GaussianDcVae.Create(c, Network(c, o)), InputKind.Dequantized) with { PyTorchModule = PyTorchModule };

    public static readonly ModelFamily ConstantGaussian = ModelFamily.WithOptions(ConstantGaussianDcVae.FamilyName,
        "DC-VAE with a Gaussian decoder in logit space and one learned log-variance (paper's CelebA model); log p in 8-bit pixel space",
        Width(), (c, o) => ConstantGaussianDcVae.Create(c, Network(c, o)), InputKind.Dequantized) with { PyTorchModule = PyTorchModule };

    public static readonly ModelFamily LogisticMixture = ModelFamily.WithOptions(LogisticMixtureDcVae.FamilyName,
        "DC-VAE with a discretized mixture of 10 logistics per pixel for 8-bit 32x32 images",
        Width().Integer("mixture-components", "logistics per pixel of the decoder's mixture (the paper's 10)",
            o => o.MixtureComponents, (o, v) => o with { MixtureComponents = v }, min: 1, max: MaxMixtureComponents),
        (c, o) => LogisticMixtureDcVae.Create(c, Network(c, o), o.MixtureComponents), InputKind.Discrete8Bit) with
    {
        PyTorchModule = PyTorchModule,
        // Scheme 3: log p(x) on the CPU by the fused mixture kernel (Likelihood/LogisticMixtureKernel) instead of the tensor
        // form; the same quantity, float32 rounding differs (~1e-7 relative per image); training unchanged.
        ResultsScheme = 3,
    };
}
