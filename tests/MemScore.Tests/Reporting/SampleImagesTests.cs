using MemScore.Tests.Support;
using MemScore.Models;
using MemScore.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Reporting;

/// <summary>Which images the nearest-neighbour test and C_T compare: decoder means by default, stochastic samples on request.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class SampleImagesTests
{
    /// <summary>A latent-variable model: decoder mean 0.3 everywhere; stochastic samples are Bernoulli(0.3) draws.</summary>
    sealed class MeanModel : ISampleableModel, IDecoderMeanModel
    {
        public Tensor DecoderMeans(int count, Generator noise)
        {
            using var z = randn([count, 2], generator: noise);   // the latent draw, as a real model makes it
            return full([count, 1, 4, 4], 0.3f);
        }

        public Tensor Sample(int count, Generator noise, bool stochastic)
        {
            using var z = randn([count, 2], generator: noise);
            using var mean = full([count, 1, 4, 4], 0.3f);
            return stochastic ? mean.bernoulli(noise) : mean.clone();
        }
    }

    /// <summary>A flow: no decoder mean; its samples are continuous values in [0, 1].</summary>
    sealed class FlowModel : ISampleableModel
    {
        public Tensor Sample(int count, Generator noise, bool stochastic) => rand([count, 1, 4, 4], generator: noise);
    }

    static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void Default_compares_decoder_means_with_grey_level_images()
    {
        using var generator = new Generator(3);
        using var images = SampleAnalysisSection.Generate(new MeanModel(), InputKind.Binary, 5, generator, SampleImages.DecoderMeans);
        Assert.Equal("decoder means", images.Name);
        Assert.True(images.GreyReferences);
        Assert.Equal([5L, 1, 4, 4], images.Images.shape);
        Assert.All(Values(images.Images), v => Assert.Equal(0.3f, v));   // no sampling noise, not re-binarized
    }

    [Fact]
    public void A_model_without_a_decoder_mean_gives_its_samples_without_a_redraw()
    {
        using var g1 = new Generator(4);
        using var g2 = new Generator(4);
        using var images = SampleAnalysisSection.Generate(new FlowModel(), InputKind.Dequantized, 6, g1, SampleImages.DecoderMeans);
        using var direct = new FlowModel().Sample(6, g2, stochastic: true);
        Assert.Equal("model samples", images.Name);
        Assert.True(images.GreyReferences);
        Assert.Equal(Values(direct), Values(images.Images));
    }

    [Fact]
    public void Stochastic_samples_option_redraws_into_the_scored_form()
    {
        using var generator = new Generator(5);
        using var images = SampleAnalysisSection.Generate(new MeanModel(), InputKind.Binary, 50, generator, SampleImages.StochasticSamples);
        Assert.Equal("stochastic samples", images.Name);
        Assert.False(images.GreyReferences);
        var values = Values(images.Images);
        Assert.All(values, v => Assert.True(v == 0f || v == 1f, $"{v} is not binary"));
        // 800 Bernoulli(0.3) pixels: mean sd 0.016; 6 sd bound.
        Assert.InRange(values.Average(), 0.3 - 0.1, 0.3 + 0.1);

        using var flowGenerator = new Generator(6);
        using var dequantized = SampleAnalysisSection.Generate(new FlowModel(), InputKind.Dequantized, 10, flowGenerator, SampleImages.StochasticSamples);
        // Dequantized form: each value in some 8-bit cell [k/256, (k+1)/256), so not the flow's raw values.
        Assert.All(Values(dequantized.Images), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Every_built_in_VAE_family_has_decoder_means_in_0_1_and_the_flow_has_none()
    {
        foreach (var family in ModelRegistry.CreateDefault().All.Where(f => f.Name != MemScore.Models.TorchScript.TorchScriptFamily.FamilyName))
        {
            long channels = family.Input == InputKind.Binary ? 1 : 3;
            using var model = family.Create(new ModelContext([channels, 32, 32], LatentDim: 4, LearningRate: 1e-3, ImportanceSamples: 2, InitSeed: 1));
            if (family.Name == RealNvpFlow.FamilyName)
            {
                Assert.False(model is IDecoderMeanModel, "a flow has no decoder mean");
                continue;
            }
            var means = Assert.IsAssignableFrom<IDecoderMeanModel>(model);
            using var g1 = new Generator(9);
            using var g2 = new Generator(9);
            using var mean = means.DecoderMeans(3, g1);
            using var same = ((ISampleableModel)model).Sample(3, g2, stochastic: false);
            Assert.Equal([3L, channels, 32, 32], mean.shape);
            Assert.True(mean.eq(same).all().item<bool>(), $"{family.Name}: DecoderMeans differs from Sample(stochastic: false)");
            Assert.True(mean.ge(0).all().item<bool>() && mean.le(1).all().item<bool>(), $"{family.Name}: means outside [0, 1]");
        }
    }
}
