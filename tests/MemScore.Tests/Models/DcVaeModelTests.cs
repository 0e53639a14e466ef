using MemScore.Tests.Support;
using MemScore.Core;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

/// <summary>Training, scoring, checkpoints and sampling of each DC-VAE family on small structured 32x32 images.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class DcVaeModelTests
{
    public sealed record Family(string Name, long Channels, Func<ModelContext, IDensityModel> Create, InputKind Input)
    {
        public override string ToString() => $"{Name} (C = {Channels})";
    }

    static readonly DcVaeOptions Small = new(LatentDim: 8, FeatureMaps: 8);   // F = 8 and few mixture components: tests stay fast

    public static TheoryData<Family> Families => new(
        new Family(BernoulliDcVae.FamilyName, 1, c => BernoulliDcVae.Create(c, Small), InputKind.Binary),
        new Family(GaussianDcVae.FamilyName, 3, c => GaussianDcVae.Create(c, Small), InputKind.Dequantized),
        new Family(ConstantGaussianDcVae.FamilyName, 3, c => ConstantGaussianDcVae.Create(c, Small), InputKind.Dequantized),
        new Family(LogisticMixtureDcVae.FamilyName, 3, c => LogisticMixtureDcVae.Create(c, Small, components: 4), InputKind.Discrete8Bit),
        new Family(LogisticMixtureDcVae.FamilyName, 1, c => LogisticMixtureDcVae.Create(c, Small, components: 3), InputKind.Discrete8Bit));

    static ModelContext Context(long channels, long seed) => new([channels, 32, 32], 8, 3e-3, 4, seed);

    /// <summary>64 images of bright rectangles on a dark background, in the form the family's input kind prescribes.</summary>
    static Tensor Images(long channels, InputKind kind)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var grey = zeros(64, channels, 32, 32);
        for (int i = 0; i < 64; i++)
        {
            int top = i % 16, left = (i * 7) % 16, size = 8 + i % 9;
            grey[i, .., top..(top + size), left..(left + size)] = tensor(0.8f);
        }
        var levels = grey.add_(rand(grey.shape, generator: g).mul_(0.15f)).mul_(255).floor_().clamp_(0, 255);   // k in 0..255
        var images = kind switch
        {
            InputKind.Binary => rand(levels.shape, generator: g).lt_(levels.div(255)).to_type(ScalarType.Float32),
            InputKind.Dequantized => levels.add(rand(levels.shape, generator: g)).div_(256),
            _ => levels.div(255),
        };
        return images.MoveToOuterDisposeScope();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_few_adam_steps_reduce_the_loss_and_log_p_is_finite(Family family)
    {
        using var model = family.Create(Context(family.Channels, 1));
        using var x = Images(family.Channels, family.Input);
        using var noise = new Generator(2);
        var losses = Enumerable.Range(0, 8).Select(_ => model.TrainStep(x, noise)).ToArray();
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        // From a random initialisation the first steps fall steeply; a fall of 1% is far outside step-to-step noise.
        Assert.True(losses[^1] < 0.99 * losses[0], $"loss went {losses[0]} -> {losses[^1]}");
        using var evalNoise = new Generator(3);
        using var logP = model.LogLikelihood(x, evalNoise);
        Assert.Equal([64L], logP.shape);
        Assert.True(logP.isfinite().all().item<bool>());
        // The ELBO bounds log p from below in expectation; per-image log p sits within the loss's order of magnitude.
        Assert.True(-logP.mean().item<double>() < 2 * losses[^1], $"mean -log p {-logP.mean().item<double>()} vs loss {losses[^1]}");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Checkpoint_restores_bit_identical_log_p_including_batch_norm_statistics(Family family)
    {
        using var trained = (VariationalDensityModel)family.Create(Context(family.Channels, 1));
        using var x = Images(family.Channels, family.Input);
        using (var noise = new Generator(2))
            for (int i = 0; i < 3; i++) trained.TrainStep(x, noise);
        using var fresh = (VariationalDensityModel)family.Create(Context(family.Channels, 99));
        fresh.LoadState(trained.SaveState(), "ckpt.npz");
        using var g1 = new Generator(4);
        using var g2 = new Generator(4);
        using var before = trained.LogLikelihood(x, g1);
        using var after = fresh.LogLikelihood(x, g2);
        Assert.Equal(before.data<double>().ToArray(), after.data<double>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Samples_and_decoder_means_are_images_in_the_unit_interval(Family family)
    {
        using var density = family.Create(Context(family.Channels, 1));
        var model = (ISampleableModel)density;
        using var noise = new Generator(6);
        foreach (bool stochastic in new[] { false, true })
        {
            using var images = model.Sample(300, noise, stochastic);   // more than one decoding chunk
            Assert.Equal([300L, family.Channels, 32, 32], images.shape);
            Assert.Equal(ScalarType.Float32, images.dtype);
            Assert.True(images.ge(0).all().item<bool>() && images.le(1).all().item<bool>(), "values outside [0, 1]");
            if (stochastic && family.Input == InputKind.Binary)
                Assert.True(images.eq(0).logical_or(images.eq(1)).all().item<bool>(), "Bernoulli draws must be 0 or 1");
            if (stochastic && family.Input == InputKind.Discrete8Bit)
            {
                using var levels = images.mul(255);
                Assert.True(levels.sub(levels.round()).abs().max().item<float>() < 1e-3, "mixture draws must be k / 255");
            }
        }
    }

    [Fact]
    public void Images_that_are_not_32x32_are_refused_with_the_shape()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => GaussianDcVae.Create(new ModelContext([3, 28, 28], 8, 1e-3, 4, 1)));
        Assert.Contains("3x28x28", error.Message);
        Assert.Contains("32 x 32", error.Message);
    }

    [Fact]
    public void Registry_lists_the_families_with_their_input_kinds_and_a_description_with_settings()
    {
        var registry = ModelRegistry.CreateDefault();
        Assert.Equal(InputKind.Binary, registry.Get("bernoulli-dc-vae").Input);
        Assert.Equal(InputKind.Dequantized, registry.Get("gaussian-dc-vae").Input);
        Assert.Equal(InputKind.Dequantized, registry.Get("constant-gaussian-dc-vae").Input);
        Assert.Equal(InputKind.Discrete8Bit, registry.Get("mol-dc-vae").Input);
        using var model = registry.Get("mol-dc-vae").Create(new ModelContext([3, 32, 32], 64, 1e-3, 4, 1));
        var settings = model.Describe().Settings;
        Assert.Equal("64", settings["latent_dim"]);
        Assert.Equal("32", settings["feature_maps"]);
        Assert.Equal("3x32x32", settings["input"]);
        Assert.Equal("10", settings["mixture_components"]);
    }

    [Fact]
    public void Constant_gaussian_learns_one_log_variance_starting_at_minus_two()
    {
        using var model = (VariationalDensityModel)ConstantGaussianDcVae.Create(Context(3, 1), Small);
        var parameter = model.Module.named_parameters().Single(p => p.name == "head.logVariance").parameter;
        Assert.Equal([1L], parameter.shape);
        Assert.Equal(-2f, parameter.item<float>());
        using var x = Images(3, InputKind.Dequantized);
        using var noise = new Generator(2);
        model.TrainStep(x, noise);
        Assert.NotEqual(-2f, parameter.item<float>());
    }

    [Fact]
    public void Bernoulli_mlp_vae_samples_too()
    {
        using var density = BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 4, 1e-3, 4, 1));
        var model = (ISampleableModel)density;
        using var noise = new Generator(1);
        using var means = model.Sample(5, noise, stochastic: false);
        using var draws = model.Sample(5, noise, stochastic: true);
        Assert.Equal([5L, 1, 32, 32], means.shape);
        Assert.True(means.gt(0).all().item<bool>() && means.lt(1).all().item<bool>(), "probabilities are strictly inside (0, 1)");
        Assert.True(draws.eq(0).logical_or(draws.eq(1)).all().item<bool>());
    }
}
