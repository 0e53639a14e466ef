using MemScore.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>The Gaussian noise of DP-SGD, added to the summed clipped gradient of every parameter.</summary>
internal static class PrivacyNoise
{
    /// <summary>grad += N(0, std^2) for every parameter, drawn from <paramref name="generator"/> in parameter order; a parameter without a
    /// gradient (an empty Poisson batch) gets the noise alone. std = 0 adds nothing (no draw).</summary>
    public static void AddTo(IEnumerable<Parameter> parameters, Generator generator, double std)
    {
        if (!(std >= 0) || !double.IsFinite(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "must be finite and >= 0");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var k = new ScalarScope();
        foreach (var p in parameters)
        {
            using var grad = p.grad;   // a new handle on each access (PLATFORM.md)
            if (std == 0 && grad is not null) continue;
            var draw = std == 0 ? zeros_like(p) : ComputeDevice.Normal(p.shape, generator, p.device, p.dtype).mul_(k[std]);
            if (grad is null) p.grad = draw;
            else grad.add_(draw, k.One);
        }
    }
}
