using MemScore.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>Which variables an affine coupling layer keeps fixed (and feeds to its network).</summary>
internal enum CouplingMask
{
    /// <summary>Pixels with (row + column) even are fixed.</summary>
    CheckerboardEven,
    /// <summary>Pixels with (row + column) odd are fixed.</summary>
    CheckerboardOdd,
    /// <summary>The first half of the channels is fixed.</summary>
    ChannelsFirstHalf,
    /// <summary>The second half of the channels is fixed.</summary>
    ChannelsSecondHalf,
}

/// <summary>
/// Affine coupling layer (Dinh et al. 2017, eq. 7-9): with b the mask of fixed variables,
///   y = b * x + (1 - b) * (x * exp(s(b * x)) + t(b * x)),   log|det dy/dx| = sum (1 - b) * s.
/// The log-scale is bounded, s = scale * tanh(raw), with a learned per-channel scale; the network's
/// last convolution starts at zero, so a fresh layer is the identity. For checkerboard masks the
/// network also sees the mask as an extra channel, so a fixed zero and a hidden pixel differ.
/// </summary>
internal sealed class RealNvpCoupling : nn.Module
{
    readonly Sequential net;
    readonly Parameter logScaleBound;
    readonly CouplingMask _mask;

    public RealNvpCoupling(long channels, CouplingMask mask, int hiddenChannels, ScalarType dtype = ScalarType.Float32) : base(nameof(RealNvpCoupling))
    {
        _mask = mask;
        bool checkerboard = IsCheckerboard(mask);
        if (!checkerboard && channels % 2 != 0)
            throw new ArgumentException($"channel-wise coupling needs an even channel count, got {channels}", nameof(channels));
        long conditioning = checkerboard ? channels + 1 : channels / 2;
        long transformed = checkerboard ? channels : channels / 2;
        net = nn.Sequential(
            nn.Conv2d(conditioning, hiddenChannels, 3, padding: 1, dtype: dtype), nn.ReLU(),
            nn.Conv2d(hiddenChannels, hiddenChannels, 1, dtype: dtype), nn.ReLU(),
            nn.Conv2d(hiddenChannels, 2 * transformed, 3, padding: 1, dtype: dtype));
        logScaleBound = new Parameter(ones([1, transformed, 1, 1], dtype: dtype));
        RegisterComponents();
    }

    static bool IsCheckerboard(CouplingMask mask) => mask is CouplingMask.CheckerboardEven or CouplingMask.CheckerboardOdd;

    /// <summary>PyTorch's default convolution initialisation U(-1/sqrt(fan_in), 1/sqrt(fan_in)) from <paramref name="generator"/>; last convolution zero, scale one.</summary>
    public void Initialize(Generator generator)
    {
        using var _ = no_grad();
        var convolutions = net.modules().OfType<Conv2d>().ToArray();
        foreach (var conv in convolutions[..^1])
        {
            var w = conv.weight!;
            double bound = 1.0 / Math.Sqrt(w.shape[1] * w.shape[2] * w.shape[3]);
            w.uniform_(-bound, bound, generator);
            conv.bias!.uniform_(-bound, bound, generator);
        }
        convolutions[^1].weight!.zero_();
        convolutions[^1].bias!.zero_();
        using var k = new ScalarScope();
        logScaleBound.fill_(k[1.0]);
    }

    /// <summary>y and log|det dy/dx| per example [B].</summary>
    public (Tensor Y, Tensor LogDet) Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        Tensor y, s;
        if (IsCheckerboard(_mask))
        {
            (s, var t) = CheckerboardScaleAndShift(x);
            y = x.mul(s.exp()).add_(t, k.One);
        }
        else
        {
            var (fixedHalf, freeHalf) = SplitChannels(x);
            (s, var t) = BoundedOutputs(fixedHalf);
            y = JoinChannels(fixedHalf, freeHalf.mul(s.exp()).add_(t, k.One));
        }
        var logDet = s.sum([1, 2, 3]);
        return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>x from y: the fixed variables are unchanged, so s and t are recomputed from y.</summary>
    public Tensor Inverse(Tensor y)
    {
        using var scope = NewDisposeScope();
        Tensor x;
        if (IsCheckerboard(_mask))
        {
            var (s, t) = CheckerboardScaleAndShift(y);
            x = y.sub(t).mul_(s.neg().exp());
        }
        else
        {
            var (fixedHalf, freeHalf) = SplitChannels(y);
            var (s, t) = BoundedOutputs(fixedHalf);
            x = JoinChannels(fixedHalf, freeHalf.sub(t).mul_(s.neg().exp()));
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>s and t over the whole input, zero on the fixed pixels (callers own a dispose scope).</summary>
    (Tensor S, Tensor T) CheckerboardScaleAndShift(Tensor x)
    {
        var (fixedMask, freeMask) = CheckerboardMasks(x);
        var maskChannel = fixedMask.expand(x.shape[0], 1, x.shape[2], x.shape[3]);
        var (s, t) = BoundedOutputs(cat([x.mul(fixedMask), maskChannel], 1));
        return (s.mul(freeMask), t.mul(freeMask));
    }

    (Tensor Fixed, Tensor Free) SplitChannels(Tensor x)
    {
        var halves = x.chunk(2, 1);
        return _mask == CouplingMask.ChannelsFirstHalf ? (halves[0], halves[1]) : (halves[1], halves[0]);
    }

    Tensor JoinChannels(Tensor fixedHalf, Tensor freeHalf) =>
        _mask == CouplingMask.ChannelsFirstHalf ? cat([fixedHalf, freeHalf], 1) : cat([freeHalf, fixedHalf], 1);

    (Tensor S, Tensor T) BoundedOutputs(Tensor conditioning)
    {
        var parts = net.call(conditioning).chunk(2, 1);
        return (parts[0].tanh().mul(logScaleBound), parts[1]);
    }

    /// <summary>
    /// [1, 1, H, W] masks, ones where (row + column) % 2 is the fixed parity, and their complement; built once
    /// per dtype and device. Held outside a Tensor field: RegisterComponents would make them checkpointed buffers.
    /// </summary>
    (Tensor Fixed, Tensor Free) CheckerboardMasks(Tensor x)
    {
        var cached = _maskCache;
        if (cached is not null && cached.Fixed.dtype == x.dtype && cached.Fixed.device_type == x.device_type && cached.Fixed.device_index == x.device_index && cached.Fixed.shape[2] == x.shape[2]
            && cached.Fixed.shape[3] == x.shape[3])
            return (cached.Fixed, cached.Free);
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var rows = arange(k[0], k[x.shape[2]], k[1], dtype: ScalarType.Int64, device: x.device).unsqueeze(1);
        var columns = arange(k[0], k[x.shape[3]], k[1], dtype: ScalarType.Int64, device: x.device).unsqueeze(0);
        int parity = _mask == CouplingMask.CheckerboardEven ? 0 : 1;
        var fixedMask = rows.add(columns, k.One).remainder(k[2]).eq(k[parity]).to_type(x.dtype).reshape(1, 1, x.shape[2], x.shape[3]);
        var freeMask = fixedMask.neg().add_(k[1], k.One);
        _maskCache?.Dispose();
        _maskCache = new MaskPair(fixedMask.DetachFromDisposeScope(), freeMask.DetachFromDisposeScope());
        return (_maskCache.Fixed, _maskCache.Free);
    }

    MaskPair? _maskCache;

    sealed record MaskPair(Tensor Fixed, Tensor Free) : IDisposable
    {
        public void Dispose()
        {
            Fixed.Dispose();
            Free.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _maskCache?.Dispose();
        base.Dispose(disposing);
    }
}
