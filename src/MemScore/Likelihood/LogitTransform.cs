using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>
/// The logit transform of dequantized images and its change of variables (METHOD.md section 4):
///   s = lambda + (1 - 2 lambda) x,  y = logit(s),  x = (k + u) / 256 in (0, 1).
///   log|dy/dx| = log(1 - 2 lambda) - log s - log(1 - s) = log(1 - 2 lambda) - (y - 2 softplus(y))   (per sub-pixel)
/// A density p(y) becomes a density of x on [0, 1]^D by adding the summed log-Jacobian, and a
/// probability of the 8-bit image k by subtracting D log 256 (each k owns a cell of volume 256^-D).
/// </summary>
internal static class LogitTransform
{
    public const double DefaultLambda = 0.05;

    /// <summary>y = logit(lambda + (1 - 2 lambda) x), elementwise.</summary>
    public static Tensor Forward(Tensor x, double lambda = DefaultLambda)
    {
        using var k = new ScalarScope();
        using var s = x.mul(k[1 - 2 * lambda]).add_(k[lambda], k.One);
        return s.logit();
    }

    /// <summary>x = (sigmoid(y) - lambda) / (1 - 2 lambda): maps model samples back to [0, 1].</summary>
    public static Tensor Inverse(Tensor y, double lambda = DefaultLambda)
    {
        using var k = new ScalarScope();
        var s = y.sigmoid();
        return s.sub_(k[lambda]).div_(k[1 - 2 * lambda]);   // in place on a fresh tensor, which is the result
    }

    /// <summary>
    /// Per-example sum over sub-pixels of log|dy/dx| - log 256, for y [B, ...] (any float dtype):
    /// add it to log p(y) to get log P(k) of the 8-bit image in nats.
    /// </summary>
    public static Tensor PixelSpaceCorrection(Tensor y, double lambda = DefaultLambda)
    {
        long d = y.numel() / y.shape[0];
        using var k = new ScalarScope();
        using var flat = y.reshape(y.shape[0], -1);
        using var softplus = ScalarScope.Softplus(flat, k[1.0], k[20.0]);   // nn.functional.softplus's defaults
        using var twice = softplus.mul(k[2]);
        using var perPixel = flat.sub(twice);
        using var summed = perPixel.sum(1);
        return summed.neg().add_(k[d * (Math.Log(1 - 2 * lambda) - Math.Log(256))], k.One);
    }

    /// <summary>Bits per dimension of a pixel-space log-likelihood over <paramref name="dimensions"/> sub-pixels.</summary>
    public static double BitsPerDimension(double logLikelihood, long dimensions) =>
        -logLikelihood / (dimensions * Math.Log(2));
}
