using MemScore.Tests.Support;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Execution;
using MemScore.Models;

namespace MemScore.Tests.Configuration;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class PresetsTests
{
    // Expected values typed from the table of METHOD.md section 4 and S from section 3.
    public static TheoryData<string, string, string, int, double, int, int[], int> PaperTable => new()
    {
        { "paper-mnist-lr3", "mnist", "bernoulli-mlp-vae", 16, 1e-3, 100, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100], 256 },
        { "paper-mnist-lr4", "mnist", "bernoulli-mlp-vae", 16, 1e-4, 100, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100], 256 },
        { "paper-cifar10", "cifar10", "gaussian-dc-vae", 64, 1e-3, 100, [50, 100], 128 },
        { "paper-celeba", "celeba", "constant-gaussian-dc-vae", 32, 1e-3, 50, [25, 50], 128 },
    };

    [Theory]
    [MemberData(nameof(PaperTable))]
    public void Preset_reproduces_the_papers_setting(string name, string dataset, string model, int latent, double lr, int epochs, int[] evalEpochs, int samples)
    {
        var c = Presets.Get(name);
        Assert.Equal((dataset, model, latent, lr, epochs, samples), (c.Dataset, c.Model, c.LatentDim, c.LearningRate, c.Epochs, c.ImportanceSamples));
        Assert.Equal(evalEpochs, c.EvaluationEpochs());
        Assert.Equal((10, 10, 64, 42L, 32), (c.Folds, c.Repeats, c.BatchSize, c.Seed, c.PadTo));
        Assert.Equal(dataset is "cifar10" or "celeba", c.Flip);   // flips only for the colour data sets
    }

    [Fact]
    public void Unknown_preset_names_the_choices()
    {
        var e = Assert.Throws<InvalidConfigurationException>(() => Presets.Get("paper-svhn"));
        Assert.Contains("paper-svhn", e.Message);
        Assert.Contains("paper-cifar10", e.Message);
    }

    [Fact]
    public void Budget_counts_by_hand()
    {
        // K = 5, L = 5, n = 1000, 60 epochs, evaluated at 60 only, S = 64:
        // each model trains on 800 examples -> 25 models x 800 x 60 epochs = 1,200,000 passes;
        // evaluations: 25 models x 1 epoch x 1000 = 25,000; samples: x 64 = 1,600,000.
        var b = Budget.Count(new ExperimentConfig(), 1000);
        Assert.Equal((25, 1_200_000L, 25_000L, 1_600_000L), (b.Models, b.TrainingExamplePasses, b.Evaluations, b.ImportanceSamples));
        // --in-models 3: each example scored by its L = 5 out-models and 3 in-models, (5 + 3) x 1000 x 1 epoch.
        var cheaper = Budget.Count(new ExperimentConfig { InModels = 3 }, 1000);
        Assert.Equal((25, 1_200_000L, 8_000L, 512_000L), (cheaper.Models, cheaper.TrainingExamplePasses, cheaper.Evaluations, cheaper.ImportanceSamples));
        // A flow's log p(x) is exact: the same evaluations, no importance samples.
        var exact = Budget.Count(new ExperimentConfig { Model = "realnvp-flow" }, 1000, exactLikelihood: true);
        Assert.Equal((25_000L, 0L, true), (exact.Evaluations, exact.ImportanceSamples, exact.ExactLikelihood));
        Assert.True(ModelRegistry.CreateDefault().Get("realnvp-flow").ExactLikelihood);
        Assert.False(ModelRegistry.CreateDefault().Get("bernoulli-mlp-vae").ExactLikelihood);
    }
}
