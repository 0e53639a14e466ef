using MemScore.Core;

namespace MemScore.Configuration;

/// <summary>
/// The paper's four settings (METHOD.md section 4: 32x32 images, Adam, batch 64, seed 42, L = K = 10;
/// S from section 3). Flags given with --preset override single fields, e.g. --limit and --epochs
/// for a scaled-down run on a laptop.
/// </summary>
internal static class Presets
{
    static readonly ExperimentConfig PaperCommon = new()
    {
        Folds = 10, Repeats = 10, BatchSize = 64, Seed = 42, PadTo = 32,
    };

    static readonly ExperimentConfig PaperMnist = PaperCommon with
    {
        Dataset = "mnist", Model = "bernoulli-mlp-vae", LatentDim = 16, Epochs = 100, EvalEvery = 5,
        ImportanceSamples = 256,
        TrainBinarization = "dynamic",   // the paper redrew the binarization at every access while training
    };

    static readonly Dictionary<string, (ExperimentConfig Config, string Description)> All = new(StringComparer.Ordinal)
    {
        ["paper-mnist-lr3"] = (PaperMnist with { LearningRate = 1e-3 }, "BinarizedMNIST, Bernoulli MLP VAE, lr 1e-3, 100 epochs, log p(x) every 5 epochs, S = 256"),
        ["paper-mnist-lr4"] = (PaperMnist with { LearningRate = 1e-4 }, "BinarizedMNIST, Bernoulli MLP VAE, lr 1e-4, 100 epochs, log p(x) every 5 epochs, S = 256"),
        ["paper-cifar10"] = (PaperCommon with
        {
            Dataset = "cifar10", Model = "gaussian-dc-vae", LatentDim = 64, LearningRate = 1e-3, Epochs = 100, EvalEvery = 50,
            ImportanceSamples = 128, Flip = true,
        }, "CIFAR-10, diagonal-Gaussian DC-VAE in logit space, latent 64, 100 epochs, log p(x) at 50 and 100, S = 128, flips"),
        ["paper-celeba"] = (PaperCommon with
        {
            Dataset = "celeba", Model = "constant-gaussian-dc-vae", LatentDim = 32, LearningRate = 1e-3, Epochs = 50, EvalEvery = 25,
            ImportanceSamples = 128, Flip = true,
        }, "CelebA 32x32, constant-Gaussian DC-VAE in logit space, latent 32, 50 epochs, log p(x) at 25 and 50, S = 128, flips"),
    };

    public static IEnumerable<(string Name, string Description)> List() => All.Select(kv => (kv.Key, kv.Value.Description));

    public static ExperimentConfig Get(string name) =>
        All.TryGetValue(name, out var preset) ? preset.Config
        : throw new InvalidConfigurationException($"preset = {name}: expected one of {string.Join(", ", All.Keys)}");
}
