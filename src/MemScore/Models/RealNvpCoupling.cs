using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>Which variables an affine coupling layer keeps fixed (and feeds to its network).</summary>
public enum CouplingMask
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
public sealed class RealNvpCoupling : nn.Module
{
    readonly Sequential net;
    readonly Conv2d output;
    readonly Parameter logScaleBound;
    readonly CouplingMask _mask;

    public RealNvpCoupling(long channels, CouplingMask mask, int hiddenChannels) : base(nameof(RealNvpCoupling))
    {
        _mask = mask;
        bool checkerboard = IsCheckerboard(mask);
        if (!checkerboard && channels % 2 != 0)
            throw new ArgumentException($"channel-wise coupling needs an even channel count, got {channels}", nameof(channels));
        long conditioning = checkerboard ? channels + 1 : channels / 2;
        long transformed = checkerboard ? channels : channels / 2;
        output = nn.Conv2d(hiddenChannels, 2 * transformed, 3, padding: 1);
        net = nn.Sequential(
            nn.Conv2d(conditioning, hiddenChannels, 3, padding: 1), nn.ReLU(),
            nn.Conv2d(hiddenChannels, hiddenChannels, 1), nn.ReLU(),
            output);
        logScaleBound = new Parameter(ones(1, transformed, 1, 1));
        RegisterComponents();
    }

    static bool IsCheckerboard(CouplingMask mask) => mask is CouplingMask.CheckerboardEven or CouplingMask.CheckerboardOdd;

    /// <summary>PyTorch's default convolution initialisation U(-1/sqrt(fan_in), 1/sqrt(fan_in)) from <paramref name="generator"/>; last convolution zero, scale one.</summary>
    public void Initialize(Generator generator)
    {
        using var _ = no_grad();
        foreach (var conv in net.modules().OfType<Conv2d>())
        {
            if (ReferenceEquals(conv, output)) continue;
            var w = conv.weight!;
            double bound = 1.0 / Math.Sqrt(w.shape[1] * w.shape[2] * w.shape[3]);
            w.uniform_(-bound, bound, generator);
            conv.bias!.uniform_(-bound, bound, generator);
        }
        output.weight!.zero_();
        output.bias!.zero_();
        logScaleBound.fill_(1.0);
    }

    /// <summary>y and log|det dy/dx| per example [B].</summary>
    public (Tensor Y, Tensor LogDet) Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (s, t) = ScaleAndShift(x);
        var y = x.mul(s.exp()).add_(t);
        var logDet = s.sum([1, 2, 3]);
        return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>x from y: the fixed variables are unchanged, so s and t are recomputed from y.</summary>
    public Tensor Inverse(Tensor y)
    {
        using var scope = NewDisposeScope();
        var (s, t) = ScaleAndShift(y);
        return y.sub(t).mul_(s.neg().exp()).MoveToOuterDisposeScope();
    }

    /// <summary>s and t over the whole input shape, zero on the fixed variables.</summary>
    (Tensor S, Tensor T) ScaleAndShift(Tensor x)
    {
        if (IsCheckerboard(_mask))
        {
            using var fixedMask = Checkerboard(x, _mask == CouplingMask.CheckerboardEven ? 0 : 1);
            using var free = fixedMask.neg().add_(1);
            using var masked = x.mul(fixedMask);
            using var maskChannel = fixedMask.expand(x.shape[0], 1, x.shape[2], x.shape[3]);
            using var input = cat([masked, maskChannel], 1);
            var (s, t) = BoundedOutputs(input);
            using (s)
            using (t)
                return (s.mul(free), t.mul(free));
        }
        var halves = x.chunk(2, 1);
        using var first = halves[0];
        using var second = halves[1];
        bool firstFixed = _mask == CouplingMask.ChannelsFirstHalf;
        var (sHalf, tHalf) = BoundedOutputs(firstFixed ? first : second);
        using (sHalf)
        using (tHalf)
        using (var zero = zeros_like(sHalf))
            return firstFixed ? (cat([zero, sHalf], 1), cat([zero, tHalf], 1)) : (cat([sHalf, zero], 1), cat([tHalf, zero], 1));
    }

    (Tensor S, Tensor T) BoundedOutputs(Tensor conditioning)
    {
        using var h = net.call(conditioning);
        var parts = h.chunk(2, 1);
        using var raw = parts[0];
        using var bounded = raw.tanh();
        return (bounded.mul(logScaleBound), parts[1]);
    }

    /// <summary>[1, 1, H, W] with ones where (row + column) % 2 == parity, in x's dtype.</summary>
    static Tensor Checkerboard(Tensor x, int parity)
    {
        using var rows = arange(x.shape[2], dtype: ScalarType.Int64).unsqueeze(1);
        using var columns = arange(x.shape[3], dtype: ScalarType.Int64).unsqueeze(0);
        using var sum = rows.add(columns);
        using var remainder = sum.remainder(2);
        using var isFixed = remainder.eq(parity);
        return isFixed.to_type(x.dtype).reshape(1, 1, x.shape[2], x.shape[3]);
    }
}
