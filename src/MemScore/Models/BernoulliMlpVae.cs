using MemScore.Core;
using MemScore.Likelihood;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>Options of the Bernoulli MLP VAE; defaults are the paper's (METHOD.md section 4).</summary>
/// <param name="Dropout">Dropout probability after every hidden ReLU while training (model-option dropout); 0 = no dropout layers.</param>
internal sealed record BernoulliMlpVaeOptions(int LatentDim = 16, int[]? HiddenLayers = null, double Dropout = 0)
{
    /// <summary>
    /// Hidden widths; the paper's "encoder 1024-512-256" counts the 32x32 = 1024 input, so the hidden
    /// layers are 512 and 256 (as in the authors' code), mirrored in the decoder "16-256-512-1024".
    /// </summary>
    public int[] Hidden => HiddenLayers ?? [512, 256];
}

/// <summary>
/// The paper's VAE for binarized images: flattened input (1024) -> 512 -> 256 (ReLU) -> heads
/// mu, logvar; decoder latent -> 256 -> 512 (ReLU) -> D (1024) logits. The decoder returns
/// logits, and log p(x|z) is computed as log sigmoid((2x-1) * logit), which is exact for x in {0, 1}
/// and avoids the log(0) clamp a sigmoid + cross-entropy needs.
/// </summary>
internal sealed class BernoulliMlpVaeNetwork : nn.Module, IDecodingNetwork, IDropoutNetwork
{
    readonly Sequential encoder;
    readonly Linear mu;
    readonly Linear logvar;
    readonly Sequential decoder;
    readonly long _inputSize;

    public int LatentDim { get; }
    public DropoutNoise Noise { get; } = new();

    /// <summary>Shape of one image as <see cref="DecodeImages"/> returns it ([D] when built from a size alone).</summary>
    public long[] ImageShape { get; }

    public BernoulliMlpVaeNetwork(BernoulliMlpVaeOptions options, long inputSize) : this(options, [inputSize]) { }

    public BernoulliMlpVaeNetwork(BernoulliMlpVaeOptions options, long[] imageShape) : base(nameof(BernoulliMlpVaeNetwork))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(imageShape);
        LatentDim = options.LatentDim;
        ImageShape = [.. imageShape];
        long inputSize = imageShape.Aggregate(1L, (a, b) => a * b);
        _inputSize = inputSize;
        var hidden = options.Hidden;
        encoder = Stack(inputSize, hidden, options.Dropout, Noise);
        mu = nn.Linear(hidden[^1], LatentDim);
        logvar = nn.Linear(hidden[^1], LatentDim);
        var reversed = hidden.Reverse().ToArray();
        decoder = Stack(LatentDim, reversed, options.Dropout, Noise);
        decoder.append(nn.Linear(reversed[^1], inputSize));
        RegisterComponents();
    }

    static Sequential Stack(long input, int[] sizes, double dropout, DropoutNoise noise)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long previous = input;
        foreach (int size in sizes)
        {
            layers.Add(nn.Linear(previous, size));
            layers.Add(nn.ReLU());
            previous = size;
        }
        return nn.Sequential(SeededDropout.AfterActivations(layers, dropout, noise));
    }

    /// <summary>PyTorch's default Linear initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from <paramref name="generator"/>.</summary>
    public void Initialize(Generator generator)
    {
        using var _ = no_grad();
        foreach (var module in modules().OfType<Linear>())
        {
            double bound = 1.0 / Math.Sqrt(module.weight!.shape[1]);
            module.weight.uniform_(-bound, bound, generator);
            module.bias!.uniform_(-bound, bound, generator);
        }
    }

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        using var flat = x.reshape(x.shape[0], -1);
        using var h = encoder.call(flat);
        return (mu.call(h), logvar.call(h));
    }

    /// <summary>Decoder logits for latents [..., latent] -> [..., D].</summary>
    public Tensor DecodeLogits(Tensor z)
    {
        var shape = z.shape;
        using var flat = z.reshape(-1, LatentDim);
        using var logits = decoder.call(flat);
        return logits.reshape([.. shape[..^1], _inputSize]);
    }

    public Tensor LogLikelihoodGivenLatent(Tensor z, Tensor x)
    {
        using var logits = DecodeLogits(z);                      // [S, B, D]
        using var flat = x.reshape(x.shape[0], -1);              // [B, D]
        return BernoulliLikelihood.LogProbabilityOfVectors(flat, logits);
    }

    /// <summary>The pixel probabilities (mean), or one Bernoulli draw per sub-pixel (stochastic).</summary>
    public Tensor DecodeImages(Tensor z, Generator noise, bool stochastic)
    {
        using var scope = NewDisposeScope();
        var probabilities = DecodeLogits(z).sigmoid_();
        var images = stochastic ? ComputeDevice.Uniform(probabilities.shape, noise, probabilities.device).lt_(probabilities).to_type(ScalarType.Float32) : probabilities;
        return images.reshape([z.shape[0], .. ImageShape]).MoveToOuterDisposeScope();
    }
}

/// <summary>The Bernoulli MLP VAE as a trainable density model (Adam, summed ELBO per batch as in the paper).</summary>
internal static class BernoulliMlpVae
{
    public const string FamilyName = "bernoulli-mlp-vae";

    public static IDensityModel Create(ModelContext context) => Create(context, dropout: 0);

    /// <param name="dropout">The family's model-option dropout (<see cref="BernoulliMlpVaeFamily"/>).</param>
    public static IDensityModel Create(ModelContext context, double dropout)
    {
        var options = new BernoulliMlpVaeOptions(context.LatentDim, Dropout: dropout);
        var network = new BernoulliMlpVaeNetwork(options, context.InputShape);
        using (var generator = new Generator((ulong)context.InitSeed))
            network.Initialize(generator);
        var description = new ModelDescription(FamilyName, new Dictionary<string, string>
        {
            ["latent_dim"] = options.LatentDim.ToString(),
            ["hidden"] = string.Join("-", options.Hidden),
            ["input"] = string.Join("x", context.InputShape),
        });
        if (dropout > 0) description = description with { Settings = new Dictionary<string, string>(description.Settings) { ["dropout"] = dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture) } };
        return new VariationalDensityModel(network, network, description, context.LearningRate, context.ImportanceSamples, context.Device, context.WeightDecay);
    }
}
