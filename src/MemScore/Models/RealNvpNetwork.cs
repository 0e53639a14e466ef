using MemScore.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// The multi-scale RealNVP architecture (Dinh et al. 2017, section 3.6) on logit-space images y [B, C, H, W]:
/// every scale but the last applies 3 checkerboard couplings, a squeeze (C, H, W) -> (4C, H/2, W/2),
/// 3 channel-wise couplings, and factors out half of the channels as part of z; the last scale applies
/// 4 checkerboard couplings. Masks alternate so every variable is transformed. z is returned flattened,
/// [B, C*H*W], factored-out parts first.
/// </summary>
internal sealed class RealNvpNetwork : nn.Module
{
    const int CheckerboardPerScale = 3, ChannelwisePerScale = 3, CheckerboardLastScale = 4;

    readonly ModuleList<RealNvpCoupling> couplings;
    readonly long[] _inputShape;
    readonly long[][] _factoredShapes;   // [C, H, W] of each scale's output part, the last scale's included

    public RealNvpOptions Options { get; }
    public long Dimensions { get; }
    public IReadOnlyList<long> InputShape => _inputShape;
    public ScalarType DType { get; }

    /// <param name="dtype">Parameter dtype: float32 for training; float64 for numerical checks.</param>
    public RealNvpNetwork(RealNvpOptions options, long[] inputShape, ScalarType dtype = ScalarType.Float32) : base(nameof(RealNvpNetwork))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(inputShape);
        Options = options;
        _inputShape = [.. inputShape];
        Dimensions = inputShape.Aggregate(1L, (a, b) => a * b);
        couplings = new ModuleList<RealNvpCoupling>();
        DType = dtype;
        var factored = new List<long[]>();
        var (c, h, w) = (inputShape[0], inputShape[1], inputShape[2]);
        for (int scale = 0; scale < options.Scales - 1; scale++)
        {
            AddCouplings(c, CheckerboardPerScale, CouplingMask.CheckerboardEven, CouplingMask.CheckerboardOdd);
            (c, h, w) = (4 * c, h / 2, w / 2);
            AddCouplings(c, ChannelwisePerScale, CouplingMask.ChannelsFirstHalf, CouplingMask.ChannelsSecondHalf);
            c /= 2;
            factored.Add([c, h, w]);
        }
        AddCouplings(c, CheckerboardLastScale, CouplingMask.CheckerboardEven, CouplingMask.CheckerboardOdd);
        factored.Add([c, h, w]);
        _factoredShapes = [.. factored];
        RegisterComponents();
    }

    void AddCouplings(long channels, int count, CouplingMask even, CouplingMask odd)
    {
        for (int i = 0; i < count; i++)
            couplings.Add(new RealNvpCoupling(channels, i % 2 == 0 ? even : odd, Options.HiddenChannels, DType));
    }

    public void Initialize(Generator generator)
    {
        foreach (var coupling in couplings) coupling.Initialize(generator);
    }

    /// <summary>z [B, D] and the summed log|det dz/dy| [B] for logit-space images y [B, C, H, W].</summary>
    public (Tensor Z, Tensor LogDet) Forward(Tensor y)
    {
        if (y.dim() != 4 || !y.shape[1..].SequenceEqual(_inputShape))
            throw new ArgumentException($"expected images [B, {string.Join(", ", _inputShape)}], got [{string.Join(", ", y.shape)}]", nameof(y));
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var logDet = zeros(y.shape[0], dtype: y.dtype);
        var parts = new List<Tensor>();
        var h = y;
        int next = 0;
        Tensor Apply(Tensor input, int count)
        {
            for (int i = 0; i < count; i++)
            {
                var (output, layerLogDet) = couplings[next++].Forward(input);
                logDet = logDet.add(layerLogDet, k.One);
                input = output;
            }
            return input;
        }
        for (int scale = 0; scale < Options.Scales - 1; scale++)
        {
            h = Squeeze(Apply(h, CheckerboardPerScale));
            var halves = Apply(h, ChannelwisePerScale).chunk(2, 1);
            parts.Add(halves[0].flatten(1));
            h = halves[1];
        }
        parts.Add(Apply(h, CheckerboardLastScale).flatten(1));
        var z = cat(parts, 1);
        return (z.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>y [B, C, H, W] for z [B, D]: the couplings inverted in reverse order.</summary>
    public Tensor Inverse(Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != Dimensions)
            throw new ArgumentException($"expected z [B, {Dimensions}], got [{string.Join(", ", z.shape)}]", nameof(z));
        using var scope = NewDisposeScope();
        var sizes = _factoredShapes.Select(s => s[0] * s[1] * s[2]).ToArray();
        var pieces = z.split(sizes, 1);
        int next = couplings.Count;
        Tensor Undo(Tensor input, int count)
        {
            for (int i = 0; i < count; i++) input = couplings[--next].Inverse(input);
            return input;
        }
        var h = Undo(Unflatten(pieces[^1], _factoredShapes[^1]), CheckerboardLastScale);
        for (int scale = Options.Scales - 2; scale >= 0; scale--)
        {
            h = cat([Unflatten(pieces[scale], _factoredShapes[scale]), h], 1);
            h = Undo(Unsqueeze(Undo(h, ChannelwisePerScale)), CheckerboardPerScale);
        }
        return h.MoveToOuterDisposeScope();
    }

    static Tensor Unflatten(Tensor flat, long[] shape) => flat.reshape(flat.shape[0], shape[0], shape[1], shape[2]);

    /// <summary>[B, C, H, W] -> [B, 4C, H/2, W/2]: each 2x2 block becomes 4 channels (Dinh et al. 2017, figure 3).</summary>
    public static Tensor Squeeze(Tensor x)
    {
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        using var blocks = x.reshape(b, c, h / 2, 2, w / 2, 2);
        using var moved = blocks.permute(0, 1, 3, 5, 2, 4);
        return moved.reshape(b, 4 * c, h / 2, w / 2);
    }

    /// <summary>The inverse of <see cref="Squeeze"/>.</summary>
    public static Tensor Unsqueeze(Tensor x)
    {
        var (b, c, h, w) = (x.shape[0], x.shape[1] / 4, x.shape[2], x.shape[3]);
        using var blocks = x.reshape(b, c, 2, 2, h, w);
        using var moved = blocks.permute(0, 1, 4, 2, 5, 3);
        return moved.reshape(b, c, 2 * h, 2 * w);
    }
}
