using MemScore.Core;

namespace MemScore.Models;

/// <summary>
/// One model family: its --model name, a one-line description, how to build it, and the kind of
/// input it models (which decides how the data are prepared; <see cref="InputKind"/>), and whether its
/// log p(x) is exact (flows) rather than importance-sampled with S samples.
/// </summary>
public sealed record ModelFamily(string Name, string Description, Func<ModelContext, IDensityModel> Create,
    InputKind Input = InputKind.Binary, bool ExactLikelihood = false);

/// <summary>Model families keyed by name. Adding a family = registering one entry; nothing else grows.</summary>
public sealed class ModelRegistry
{
    readonly Dictionary<string, ModelFamily> _families = new(StringComparer.Ordinal);

    public static ModelRegistry CreateDefault() => new ModelRegistry()
        .Add(new ModelFamily(BernoulliMlpVae.FamilyName,
            "Bernoulli MLP VAE of the paper (encoder 1024-512-256 ReLU counting the 32x32 input, latent 16, decoder 16-256-512-1024 sigmoid) for binarized images",
            BernoulliMlpVae.Create, InputKind.Binary))
        .Add(new ModelFamily(RealNvpFlow.FamilyName,
            "RealNVP flow (2 scales of affine couplings, 32-channel conv nets) on logit-transformed dequantized images; exact log p(x)",
            RealNvpFlow.Create, InputKind.Dequantized, ExactLikelihood: true))
        .Add(new ModelFamily(BernoulliDcVae.FamilyName,
            "DC-VAE (F = 32 feature maps) with a Bernoulli decoder for binarized 32x32 images",
            BernoulliDcVae.Create, InputKind.Binary))
        .Add(new ModelFamily(GaussianDcVae.FamilyName,
            "DC-VAE with a per-pixel diagonal Gaussian decoder in logit space (paper's CIFAR-10 model); log p in 8-bit pixel space",
            GaussianDcVae.Create, InputKind.Dequantized))
        .Add(new ModelFamily(ConstantGaussianDcVae.FamilyName,
            "DC-VAE with a Gaussian decoder in logit space and one learned log-variance (paper's CelebA model); log p in 8-bit pixel space",
            ConstantGaussianDcVae.Create, InputKind.Dequantized))
        .Add(new ModelFamily(LogisticMixtureDcVae.FamilyName,
            "DC-VAE with a discretized mixture of 10 logistics per pixel for 8-bit 32x32 images",
            LogisticMixtureDcVae.Create, InputKind.Discrete8Bit))
        .Add(TorchScript.TorchScriptFamily.Family);

    public ModelRegistry Add(ModelFamily family)
    {
        if (!_families.TryAdd(family.Name, family))
            throw new ArgumentException($"model '{family.Name}' registered twice", nameof(family));
        return this;
    }

    public IEnumerable<string> Names => _families.Keys;
    public IReadOnlyCollection<ModelFamily> All => _families.Values;
    public bool Contains(string name) => _families.ContainsKey(name);

    /// <summary>The family of <paramref name="config"/>, with the input kind the config chooses where the family leaves it open (torchscript).</summary>
    public ModelFamily For(Configuration.ExperimentConfig config)
    {
        var family = Get(config.Model);
        return family.Name == TorchScript.TorchScriptFamily.FamilyName && config.TorchScript is { } module ? family with { Input = module.InputKind } : family;
    }

    public ModelFamily Get(string name) =>
        _families.TryGetValue(name, out var family) ? family
        : throw new InvalidConfigurationException($"unknown model '{name}': expected one of {string.Join(", ", _families.Keys)}");
}
