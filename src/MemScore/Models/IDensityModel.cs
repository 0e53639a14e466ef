using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// A trainable probabilistic model of images. The memorization pipeline needs only this:
/// optimisation steps on minibatches, and per-example log p(x) in nats in the data's pixel space.
/// </summary>
public interface IDensityModel : IDisposable
{
    /// <summary>Name and hyper-parameters, for file metadata.</summary>
    ModelDescription Describe();

    /// <summary>One optimisation step on <paramref name="batch"/>; returns the mean loss per example (nats).</summary>
    double TrainStep(Tensor batch, Generator noise);

    /// <summary>log p(x) per example, float64 [B], nats, evaluated in eval mode without gradients.</summary>
    Tensor LogLikelihood(Tensor batch, Generator noise);
}

/// <summary>A model whose log p(x) is importance-sampled and can report the effective sample size per example.</summary>
internal interface IImportanceSampledModel
{
    /// <summary>log p(x) [B] and ESS [B] (float64), with the same draws and values as LogLikelihood.</summary>
    (Tensor LogP, Tensor Ess) LogLikelihoodWithEss(Tensor batch, Generator noise);

    /// <summary>The noise <see cref="LogLikelihoodWithEss(Tensor, Generator)"/> draws for <paramref name="batchSize"/> examples, drawn now.</summary>
    Tensor DrawEvaluationNoise(long batchSize, Generator noise);

    /// <summary>
    /// The same values as <see cref="LogLikelihoodWithEss(Tensor, Generator)"/>, with its noise drawn beforehand by
    /// <see cref="DrawEvaluationNoise"/>. Changes no state of the model: several threads may call it at once.
    /// </summary>
    (Tensor LogP, Tensor Ess) LogLikelihoodWithEss(Tensor batch, Tensor noise);
}

public sealed record ModelDescription(string Name, IReadOnlyDictionary<string, string> Settings)
{
    public override string ToString() => $"{Name}({string.Join(", ", Settings.Select(kv => $"{kv.Key}={kv.Value}"))})";
}

/// <summary>What a factory needs to build a fresh model for one task.</summary>
/// <param name="InputShape">[C, H, W] of the (preprocessed) images.</param>
/// <param name="LatentDim">Latent dimension for latent-variable models.</param>
/// <param name="LearningRate">Optimizer learning rate.</param>
/// <param name="ImportanceSamples">S for importance-sampled log p(x).</param>
/// <param name="InitSeed">Seed of the generator that draws the initial weights (on the CPU, so weights do not depend on the device).</param>
/// <param name="Device">Where the model computes; null = CPU. Tensors given to and returned by a model are on the CPU.</param>
public sealed record ModelContext(long[] InputShape, int LatentDim, double LearningRate, int ImportanceSamples, long InitSeed, Device? Device = null)
{
    /// <summary>The config's model-options; the family binds them to its options record (defaults for keys not given).</summary>
    public ModelOptionValues Options { get; init; } = ModelOptionValues.Empty;

    /// <summary>Decoupled (AdamW) weight decay of the optimizer; 0 = none (the config's weight-decay).</summary>
    public double WeightDecay { get; init; }
}

/// <summary>A model with a per-example training objective that can be evaluated without training (the overfitting view of `memscore full`).</summary>
internal interface IEvaluationLoss
{
    /// <summary>The training loss of each example in eval mode without gradients, float64 [B], nats.</summary>
    Tensor PerExampleLoss(Tensor batch, Generator noise);
}

/// <summary>A model that can draw images; used by the sample-based analyses (nearest-neighbour test, C_T).</summary>
internal interface ISampleableModel
{
    /// <summary>
    /// <paramref name="count"/> images [count, C, H, W] in [0, 1] (the data's intensity scale, before
    /// binarization or dequantization), float32, drawn in eval mode. <paramref name="stochastic"/> = false
    /// returns the decoder mean (or the model's most likely value) for each latent draw.
    /// </summary>
    Tensor Sample(int count, Generator noise, bool stochastic);
}

/// <summary>
/// A latent-variable model whose decoder has a mean image: the image the nearest-neighbour test and
/// C_T compare by default (as the paper did: decoder means against grey-level images, no sampling noise).
/// Flows have none and are compared through their samples.
/// </summary>
internal interface IDecoderMeanModel
{
    /// <summary>
    /// For <paramref name="count"/> draws z ~ N(0, I) from <paramref name="noise"/>, the decoder's mean image
    /// [count, C, H, W] in [0, 1], float32, in eval mode (Bernoulli: the pixel probabilities; logit-space Gaussian: the
    /// inverse logit of the mean; logistic mixture: the mixture mean).
    /// </summary>
    Tensor DecoderMeans(int count, Generator noise);
}
