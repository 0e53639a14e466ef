using MemScore.Core;
using MemScore.Likelihood;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// RealNVP (Dinh et al. 2017) as a density model of dequantized images x in (0, 1): exact log p(x), no
/// importance sampling. x -> y = logit(lambda + (1 - 2 lambda) x) -> z = f(y), standard-normal base:
///   log P(k) = log N(z; 0, I) + log|det dz/dy| + [sum log|dy/dx| - D log 256]   (METHOD.md section 4),
/// in nats for the 8-bit image; training minimises the batch mean of -log P with Adam.
/// </summary>
internal sealed class RealNvpFlow : IDensityModel, ICheckpointable, ISampleableModel
{
    public const string FamilyName = "realnvp-flow";

    readonly RealNvpNetwork _network;
    readonly AdamOptimizer _optimizer;
    readonly ModelDescription _description;
    readonly Device _device;

    /// <param name="network">Initialised; its parameters' dtype is the model's compute dtype.</param>
    /// <param name="device">Where the network lives (moved before the optimizer state is made); data and results cross on the CPU.</param>
    public RealNvpFlow(RealNvpNetwork network, double learningRate, Device? device = null, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        _device = device ?? CPU;
        if (_device.type != DeviceType.CPU) network.to(_device);
        _network = network;
        _optimizer = new AdamOptimizer(network.named_parameters(), learningRate, weightDecay: weightDecay);
        var o = network.Options;
        _description = new ModelDescription(FamilyName, new Dictionary<string, string>
        {
            ["scales"] = o.Scales.ToString(),
            ["hidden_channels"] = o.HiddenChannels.ToString(),
            ["lambda"] = o.Lambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["reduced_temperature"] = o.ReducedTemperature.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["input"] = string.Join("x", network.InputShape),
            ["parameters"] = network.parameters().Sum(p => p.numel()).ToString(),
        });
    }

    /// <summary>The registry's factory: default options; LatentDim and ImportanceSamples do not apply to a flow.</summary>
    public static IDensityModel Create(ModelContext context) => Create(context, new RealNvpOptions());

    public static RealNvpFlow Create(ModelContext context, RealNvpOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        var network = new RealNvpNetwork(options, context.InputShape);
        using (var generator = new Generator((ulong)context.InitSeed))
            network.Initialize(generator);
        return new RealNvpFlow(network, context.LearningRate, context.Device, context.WeightDecay);
    }

    public RealNvpNetwork Network => _network;
    public AdamOptimizer Optimizer => _optimizer;

    public ModelDescription Describe() => _description;

    /// <summary>log P per example [B] in the network's dtype, with gradients, for x [B, C, H, W] in [0, 1].</summary>
    public Tensor LogProbability(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        double lambda = _network.Options.Lambda;
        var y = LogitTransform.Forward(ComputeDevice.On(x, _device).to_type(_network.DType), lambda);
        var (z, logDet) = _network.Forward(y);
        var logBase = z.pow(k[2]).sum(1).mul_(k[-0.5]).sub_(k[0.5 * _network.Dimensions * Math.Log(2 * Math.PI)]);
        var logP = logBase.add_(logDet, k.One).add_(LogitTransform.PixelSpaceCorrection(y, lambda), k.One);
        return logP.MoveToOuterDisposeScope();
    }

    /// <remarks><paramref name="noise"/> is unused: the data pipeline draws the dequantization noise.</remarks>
    public double TrainStep(Tensor batch, Generator noise)
    {
        _network.train();
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        var loss = LogProbability(batch).mean().neg();
        double value = loss.to_type(ScalarType.Float64).item<double>();
        if (!double.IsFinite(value)) return double.NaN;
        loss.backward();
        _optimizer.StepOnce();
        return value;
    }

    /// <remarks>Exact and deterministic: <paramref name="noise"/> is unused.</remarks>
    public Tensor LogLikelihood(Tensor batch, Generator noise)
    {
        _network.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return ComputeDevice.ToHost(LogProbability(batch).to_type(ScalarType.Float64)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Inverse pass from z ~ N(0, T^2 I): T = 1 when <paramref name="stochastic"/>, else
    /// <see cref="RealNvpOptions.ReducedTemperature"/> (a flow has no decoder mean; see there).
    /// </summary>
    public Tensor Sample(int count, Generator noise, bool stochastic)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _network.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        double temperature = stochastic ? 1.0 : _network.Options.ReducedTemperature;
        var z = ComputeDevice.Normal([count, _network.Dimensions], noise, _device, _network.DType).mul_(k[temperature]);
        var y = _network.Inverse(z);
        // sigmoid(y) lies in (0, 1), so x may leave [0, 1] by up to lambda / (1 - 2 lambda): clamp.
        var x = LogitTransform.Inverse(y, _network.Options.Lambda).clamp_(k[0], k[1]).to_type(ScalarType.Float32);
        return ComputeDevice.ToHost(x).MoveToOuterDisposeScope();
    }

    public IReadOnlyDictionary<string, NpyArray> SaveState() => ModuleCheckpoint.Save(_network, _optimizer);

    public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) =>
        ModuleCheckpoint.Load(_network, _optimizer, state, source);

    public void Dispose()
    {
        _optimizer.Dispose();
        _network.Dispose();
    }
}
