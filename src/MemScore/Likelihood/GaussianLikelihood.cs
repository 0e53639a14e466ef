using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>Diagonal Gaussian densities for decoders that model logit-transformed images (METHOD.md section 4).</summary>
internal static class GaussianLikelihood
{
    /// <summary>The decoders' lower bound on a log-variance (METHOD.md section 4: clamp log-variance >= -7).</summary>
    public const double MinLogVariance = -7;

    static readonly double Log2Pi = Math.Log(2 * Math.PI);

    /// <summary>
    /// log N(y; mean, diag exp(logVariance)) summed over the last three dimensions [C, H, W]:
    ///   -1/2 sum [ log 2 pi + logvar + (y - mean)^2 exp(-logvar) ].
    /// <paramref name="logVariance"/> may be per sub-pixel or a single scalar; all arguments broadcast.
    /// </summary>
    public static Tensor LogDensity(Tensor y, Tensor mean, Tensor logVariance)
    {
        if (y.dim() < 3) throw new ArgumentException($"expected [..., C, H, W], got shape ({string.Join(", ", y.shape)})", nameof(y));
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var squared = y.sub(mean).pow_(k[2]).mul_(logVariance.neg().exp());
        var perPixel = squared.add_(logVariance, k.One).add_(k[Log2Pi], k.One);
        return perPixel.sum([-3, -2, -1]).mul_(k[-0.5]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log P(k) of the 8-bit image behind the dequantized image <paramref name="x"/> [B, C, H, W] in (0, 1),
    /// when the model puts N(mean, diag exp(logVariance)) on y = logit(lambda + (1 - 2 lambda) x):
    ///   log p(y) + sum log|dy/dx| - D log 256   (<see cref="LogitTransform.PixelSpaceCorrection"/>).
    /// Mean and log-variance may carry leading sample dimensions ([S, B, C, H, W] gives [S, B]).
    /// </summary>
    public static Tensor LogitSpaceLogProbability(Tensor x, Tensor mean, Tensor logVariance, double lambda = LogitTransform.DefaultLambda)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var y = LogitTransform.Forward(x, lambda);
        var logDensity = LogDensity(y, mean, logVariance);
        var correction = LogitTransform.PixelSpaceCorrection(y, lambda);   // [B]
        return logDensity.add(correction, k.One).MoveToOuterDisposeScope();
    }
}
