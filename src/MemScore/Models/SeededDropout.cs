using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// The generator a network's dropout masks are drawn from while it trains: the task's training-noise
/// generator (Core/SeedSchedule), lent for one step by <see cref="VariationalDensityModel.TrainStep"/>.
/// libtorch's own dropout draws from its process-wide generator, which concurrent tasks would share.
/// </summary>
internal sealed class DropoutNoise
{
    Generator? _generator;

    public Generator Current => _generator
        ?? throw new InvalidOperationException("dropout in training mode needs a seeded generator: train through VariationalDensityModel.TrainStep");

    /// <summary>Masks come from <paramref name="generator"/> until the returned handle is disposed.</summary>
    public IDisposable DrawFrom(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
        return new Lease(this);
    }

    sealed class Lease(DropoutNoise owner) : IDisposable
    {
        public void Dispose() => owner._generator = null;
    }
}

/// <summary>A network with dropout layers; its masks come from <see cref="Noise"/>.</summary>
internal interface IDropoutNetwork
{
    DropoutNoise Noise { get; }
}

/// <summary>
/// Inverted dropout (Srivastava et al. 2014) as nn.Dropout computes it, x * keep / (1 - p) with keep ~ Bernoulli(1 - p)
/// per element, in training mode only (eval mode: the identity), masks drawn from <see cref="DropoutNoise"/>.
/// </summary>
internal sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    public const double MaxProbability = 0.9;

    readonly double _probability;
    readonly DropoutNoise _noise;

    public SeededDropout(double probability, DropoutNoise noise) : base("Dropout")
    {
        if (!(probability > 0 && probability <= MaxProbability))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, $"must be in (0, {MaxProbability}]");
        _probability = probability;
        _noise = noise ?? throw new ArgumentNullException(nameof(noise));
    }

    public override Tensor forward(Tensor input)
    {
        if (!training) return input.alias();
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var keep = ComputeDevice.Uniform(input.shape, _noise.Current, input.device, input.dtype).ge_(k[_probability]);
        return input.mul(keep).mul_(k[1 / (1 - _probability)]).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="layers"/> with a dropout layer after every hidden activation (ReLU, LeakyReLU); unchanged when p = 0, so layer names stay.</summary>
    public static nn.Module<Tensor, Tensor>[] AfterActivations(IEnumerable<nn.Module<Tensor, Tensor>> layers, double probability, DropoutNoise noise) =>
        probability == 0 ? layers.ToArray()
        : layers.SelectMany(layer => layer is TorchSharp.Modules.ReLU or ScalarSafeLeakyReLU
            ? new[] { layer, new SeededDropout(probability, noise) } : [layer]).ToArray();
}
