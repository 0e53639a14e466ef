using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>
/// The parameters of a discretized logistic mixture per pixel (PixelCNN++, Salimans et al. 2017), on
/// the [-1, 1] scale of the data: mixture logits [..., K, H, W]; means and log-scales [..., C, K, H, W];
/// raw channel coefficients [..., C(C-1)/2, K, H, W] (null for C = 1), squashed by tanh when used.
/// </summary>
internal sealed record LogisticMixtureParameters(Tensor Logits, Tensor Means, Tensor LogScales, Tensor? Coefficients) : IDisposable
{
    public long Channels => Means.shape[^4];
    public long Components => Logits.shape[^3];

    public void Dispose()
    {
        Logits.Dispose();
        Means.Dispose();
        LogScales.Dispose();
        Coefficients?.Dispose();
    }
}

/// <summary>
/// Discretized mixture of logistics over 8-bit sub-pixels k in {0..255}, given as x = k / 255.
/// Channel c of component j has location mean_cj + sum_{i &lt; c} tanh(coef_(c,i),j) x_i (x on [-1, 1]),
/// so channels are modelled in order; for RGB this is PixelCNN++'s layout (g depends on r, b on r and g).
/// Correct per METHOD.md section 6, defect 3: log-sum-exp over the components of each pixel, then a
/// sum over pixels; means unconstrained; log-scales clamped at <see cref="MinLogScale"/>.
/// </summary>
internal static class DiscretizedLogisticMixture
{
    public const double MinLogScale = -7;

    /// <summary>Half the width of one of the 256 bins on [-1, 1].</summary>
    const double HalfBin = 1.0 / 255;

    /// <summary>
    /// Decoder output channels for <paramref name="channels"/> image channels and <paramref name="components"/>:
    /// K (logits) + C K (means) + C K (log-scales) + C(C-1)/2 K (coefficients); 10 K for RGB, 3 K for grey.
    /// </summary>
    public static long OutputChannels(long channels, long components) =>
        components * (1 + 2 * channels + channels * (channels - 1) / 2);

    /// <summary>
    /// Splits a decoder output [..., OutputChannels, H, W] in the order logits | means | log-scales |
    /// coefficients, each block grouped by channel then component (channel c, component j at c K + j).
    /// </summary>
    public static LogisticMixtureParameters Split(Tensor output, long channels, long components)
    {
        long expected = OutputChannels(channels, components);
        if (output.dim() < 3 || output.shape[^3] != expected)
            throw new ArgumentException($"expected [..., {expected}, H, W] for {channels} channels and {components} components, got ({string.Join(", ", output.shape)})", nameof(output));
        long k = components, c = channels;
        Tensor Block(long start, long groups)
        {
            using var slice = output.narrow(-3, start, groups * k);
            return slice.unflatten(output.dim() - 3, [groups, k]);   // TorchSharp's unflatten refuses negative dims
        }
        return new LogisticMixtureParameters(
            output.narrow(-3, 0, k),
            Block(k, c),
            Block(k + c * k, c),
            c > 1 ? Block(k + 2 * c * k, c * (c - 1) / 2) : null);
    }

    /// <summary>
    /// log P(k) per image: x [..., C, H, W] with values k / 255 against parameters whose leading dimensions
    /// broadcast with x's (x [B, ...] and parameters [S, B, ...] give [S, B]).
    /// </summary>
    public static Tensor LogProbability(Tensor x, LogisticMixtureParameters p)
    {
        if (x.dim() < 3 || x.shape[^3] != p.Channels)
            throw new ArgumentException($"expected [..., {p.Channels}, H, W], got ({string.Join(", ", x.shape)})", nameof(x));
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var xPerComponent = x.unsqueeze(-3);                                    // [..., C, 1, H, W]
        var means = ChannelLocations(xPerComponent.mul(k[2]).sub_(k[1]), p);   // [..., C, K, H, W]
        var perChannel = BinLogProbability(xPerComponent, means, p.LogScales);
        var perComponent = perChannel.sum(-4).add_(p.Logits.log_softmax(-3), k.One);   // [..., K, H, W]
        var perPixel = perComponent.logsumexp(-3);                             // mixture per pixel
        return perPixel.sum([-2, -1]).MoveToOuterDisposeScope();
    }

    /// <summary>Locations of every channel and component given the previous channels' values xs [..., C, 1, H, W] on [-1, 1].</summary>
    public static Tensor ChannelLocations(Tensor xs, LogisticMixtureParameters p)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var coefficients = p.Coefficients?.tanh();
        var values = Enumerable.Range(0, (int)p.Channels).Select(i => xs.select(-4, i)).ToList();
        var locations = Enumerable.Range(0, (int)p.Channels)
            .Select(channel => Location(p.Means.select(-4, channel), coefficients, -4, channel, values, k)).ToList();
        return stack(broadcast_tensors([.. locations]), -4).MoveToOuterDisposeScope();   // channel 0 does not depend on x
    }

    /// <summary>
    /// log P(k) of one logistic discretized to 256 bins on [-1, 1], elementwise (broadcasting):
    ///   k = 0:    log sigma(a)          k = 255:  log(1 - sigma(b)) = log sigma(-b)
    ///   else:     log(sigma(a) - sigma(b)) = log sigma(a) + log sigma(-b) + log(1 - exp(-(a - b)))
    /// with a = (x' + 1/255 - mean) / s, b = (x' - 1/255 - mean) / s, x' = 2k/255 - 1. The last form is the
    /// identity sigma(a) - sigma(b) = sigma(a) sigma(-b) (1 - e^(b-a)); it keeps full relative precision for
    /// tiny bins (no difference of nearly equal CDFs) and for bins far in either tail.
    /// </summary>
    public static Tensor BinLogProbability(Tensor x, Tensor mean, Tensor logScale)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var inverseScale = logScale.clamp_min(k[MinLogScale]).neg().exp();
        var centered = x.mul(k[2]).sub_(k[1]).sub(mean);
        var upper = centered.add(k[HalfBin], k.One).mul_(inverseScale);
        var lower = centered.sub(k[HalfBin]).mul_(inverseScale);
        var logCdfUpper = nn.functional.logsigmoid(upper);
        var logSurvivalLower = nn.functional.logsigmoid(lower.neg());
        var logBinFraction = inverseScale.mul(k[-2 * HalfBin]).expm1().neg().log();   // log(1 - exp(-(a - b))); not in place: expm1's backward needs its result
        var interior = logCdfUpper.add(logSurvivalLower, k.One).add_(logBinFraction, k.One);
        var result = where(x.lt(k[0.5 / 255]), logCdfUpper, where(x.gt(k[254.5 / 255]), logSurvivalLower, interior));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One image per set of parameters [N, ...]: per pixel a component by the Gumbel-max trick, then the
    /// channels in order, each a logistic draw rounded to its bin (later channels see the rounded values,
    /// as in the likelihood). Returns k / 255 in [0, 1], [N, C, H, W].
    /// </summary>
    public static Tensor Sample(LogisticMixtureParameters p, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var gumbel = Uniform(p.Logits, generator, k).log_().neg_().log_().neg_();
        var component = p.Logits.add(gumbel, k.One).argmax(-3, keepdim: true);   // [N, 1, H, W]
        Tensor Pick(Tensor t)
        {
            long[] shape = t.shape;
            shape[^3] = 1;
            return t.gather(-3, component.unsqueeze(-4).expand(shape)).squeeze(-3);   // [N, G, H, W]
        }
        var means = Pick(p.Means);
        var scales = Pick(p.LogScales).clamp_min(k[MinLogScale]).exp_();
        var coefficients = p.Coefficients is null ? null : Pick(p.Coefficients).tanh_();
        var values = new List<Tensor>();                                      // on [-1, 1]
        for (long channel = 0; channel < p.Channels; channel++)
        {
            var location = Location(means.select(-3, channel), coefficients, -3, channel, values, k);
            var u = Uniform(location, generator, k);
            var logistic = u.log().sub_(u.neg().log1p_());                    // inverse CDF of the standard logistic
            values.Add(RoundToBin(location.add(logistic.mul_(scales.select(-3, channel)), k.One), k));
        }
        return stack(values, -3).add_(k[1], k.One).div_(k[2]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The mixture's mean per sub-pixel in [0, 1], [N, C, H, W]: the component weights times each component's
    /// logistic location, later channels' locations using the earlier channels' component means. It treats
    /// the logistics as continuous (ignores the clipping of the edge bins).
    /// </summary>
    public static Tensor Mean(LogisticMixtureParameters p)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var weights = p.Logits.softmax(-3);                                    // [N, K, H, W]
        var coefficients = p.Coefficients?.tanh();
        var componentMeans = new List<Tensor>();                              // [N, K, H, W] each
        var mixtureMeans = new List<Tensor>();
        for (long channel = 0; channel < p.Channels; channel++)
        {
            var location = Location(p.Means.select(-4, channel), coefficients, -4, channel, componentMeans, k);
            componentMeans.Add(location);
            mixtureMeans.Add(location.mul(weights).sum(-3));
        }
        return stack(mixtureMeans, -3).clamp_(k[-1], k[1]).add_(k[1], k.One).div_(k[2]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// mean + sum over earlier channels i of coefficient(channel, i) * value_i, with squashed coefficients whose
    /// pair index (channel (channel - 1) / 2 + i) runs along <paramref name="pairDim"/>.
    /// </summary>
    static Tensor Location(Tensor mean, Tensor? coefficients, long pairDim, long channel, IReadOnlyList<Tensor> previousValues, ScalarScope k)
    {
        var location = mean;
        for (long previous = 0; previous < channel; previous++)
        {
            var coefficient = coefficients!.select(pairDim, channel * (channel - 1) / 2 + previous);
            location = location.add(coefficient.mul(previousValues[(int)previous]), k.One);
        }
        return location;
    }

    static Tensor Uniform(Tensor like, Generator generator, ScalarScope k) =>
        ComputeDevice.Uniform(like.shape, generator, like.device, like.dtype).clamp_(k[1e-6], k[1 - 1e-6]);

    static Tensor RoundToBin(Tensor value, ScalarScope k) =>
        value.add(k[1], k.One).mul_(k[127.5]).round_().clamp_(k[0], k[255]).div_(k[127.5]).sub_(k[1]);
}
