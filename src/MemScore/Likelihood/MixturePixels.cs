using System.Runtime.Intrinsics;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace MemScore.Likelihood;

/// <summary>
/// The discretized logistic mixture of 8 pixels at once (<see cref="LogisticMixtureKernel"/>), as
///   log P(x) = log sum_j softmax(logits)_j prod_c P(x_c | location_cj, s_cj)
/// with each bin's log-probability split as Linear + log(Numerator / Denominator), so a pixel needs one log:
///   log P = max_j E_j - max_j logit_j + log( sum_j F_j exp(E_j - max E) / sum_j exp(logit_j - max logit) ),
///   E_j = logit_j + sum_c Linear_cj,  F_j = prod_c Numerator_cj / Denominator_cj.
/// </summary>
internal static unsafe class MixturePixels
{
    static readonly V Zero = V.Zero;
    static readonly V One = Vector256.Create(1f);
    static readonly V Two = Vector256.Create(2f);
    static readonly V NegativeInfinity = Vector256.Create(float.NegativeInfinity);
    static readonly V MinLogScale = Vector256.Create((float)DiscretizedLogisticMixture.MinLogScale);
    static readonly V HalfBin = Vector256.Create(1f / 255);
    static readonly V SeriesLimit = Vector256.Create(0.5f);
    static readonly V LogTwoOver255 = Vector256.Create((float)Math.Log(2.0 / 255));
    static readonly V LowestBin = Vector256.Create(0.5f / 255);
    static readonly V HighestBin = Vector256.Create(254.5f / 255);

    /// <summary>log P of the 8 pixels starting at <paramref name="output"/> (parameter planes) and <paramref name="x"/> (data planes, k / 255).</summary>
    public static V LogProbability(float* output, float* x, MixtureLayout layout, PixelBuffers pixels)
    {
        LoadData(x, layout, pixels);
        var maxExponent = NegativeInfinity;
        for (int j = 0; j < layout.Components; j++)
        {
            var (exponent, factor) = Component(output, layout, pixels, j);
            pixels.Exponents[j] = exponent;
            pixels.Factors[j] = factor;
            maxExponent = Vector256.Max(maxExponent, exponent);
        }
        var shift = Vector256.ConditionalSelect(Vector256.Equals(maxExponent, NegativeInfinity), Zero, maxExponent);
        var mixture = Zero;
        for (int j = 0; j < layout.Components; j++)
            mixture = Vector256.FusedMultiplyAdd(pixels.Factors[j], Vector256.Exp(pixels.Exponents[j] - shift), mixture);
        var (maxLogit, normalizer) = LogitNormalizer(output, layout);
        return shift - maxLogit + Vector256.Log(mixture / normalizer);
    }

    static void LoadData(float* x, MixtureLayout layout, PixelBuffers pixels)
    {
        for (int c = 0; c < layout.Channels; c++)
        {
            var value = Vector256.Load(x + c * layout.Plane);
            pixels.Values[c] = Vector256.FusedMultiplyAdd(value, Two, -One);   // [0, 1] -> [-1, 1]
            pixels.Lowest[c] = Vector256.LessThan(value, LowestBin);
            pixels.Highest[c] = Vector256.GreaterThan(value, HighestBin);
        }
    }

    /// <summary>Component <paramref name="j"/>'s E_j and F_j (class summary); channel c's location adds tanh(coef) x_i of the earlier channels i.</summary>
    static (V Exponent, V Factor) Component(float* output, MixtureLayout layout, PixelBuffers pixels, int j)
    {
        var exponent = Vector256.Load(output + layout.Logit(j));
        var numerator = One;
        var denominator = One;
        for (int c = 0; c < layout.Channels; c++)
        {
            var location = Vector256.Load(output + layout.Mean(c, j));
            for (int i = 0; i < c; i++)
                location = Vector256.FusedMultiplyAdd(Tanh(Vector256.Load(output + layout.Coefficient(c, i, j))), pixels.Values[i], location);
            var bin = Bin(pixels.Values[c] - location, Vector256.Load(output + layout.LogScale(c, j)), pixels.Lowest[c], pixels.Highest[c]);
            exponent += bin.Linear;
            numerator *= bin.Numerator;
            denominator *= bin.Denominator;
        }
        return (exponent, numerator / denominator);
    }

    /// <summary>
    /// log P(bin) = Linear + log(Numerator / Denominator) for a logistic with location l and scale s, x' - l =
    /// <paramref name="centered"/>. With m = (x' - l) / s, h = (1/255) / s (half a bin in scales), u = |m|:
    ///   interior: sigma(m + h) - sigma(m - h) = e^-u (1 - e^-2h) / ((e^-h + e^-u)(1 + e^-u e^-h))
    ///     (sigma(a) - sigma(b) = sinh(h) / (cosh m + cosh h), symmetric in m; times 2 e^-u e^-h above and below);
    ///     for h &lt; 1/2, 1 - e^-2h = 2 h e^-h sinh(h)/h with log h = -log s - log 255 exact and sinh(h)/h a series,
    ///     so tiny bins keep full relative precision; h &lt;= e^7 / 255 by the clamp, so e^-h + e^-u >= e^-4.3.
    ///   lowest bin:  log sigma(m + h); highest: log sigma(h - m); log sigma(v) = min(v, 0) - log(1 + e^-|v|),
    ///     with e^-|v| from e^-u and e^-h (no further exp).
    /// Numerators and denominators lie in [0.15, 73] (edges [0.5, 1]): products over channels cannot overflow.
    /// </summary>
    static (V Linear, V Numerator, V Denominator) Bin(V centered, V rawLogScale, V lowest, V highest)
    {
        var logScale = Vector256.Max(rawLogScale, MinLogScale);
        var inverseScale = Vector256.Exp(-logScale);
        var m = centered * inverseScale;
        var h = inverseScale * HalfBin;
        var u = Vector256.Abs(m);
        var expU = Vector256.Exp(-u);
        var expH = Vector256.Exp(-h);
        var small = Vector256.LessThan(h, SeriesLimit);
        var interiorLinear = Vector256.ConditionalSelect(small, LogTwoOver255 - logScale, Zero) - u;
        var interiorNumerator = Vector256.ConditionalSelect(small, expH * SinhOverArgument(h * h), One - expH * expH);
        var interiorDenominator = (expH + expU) * Vector256.FusedMultiplyAdd(expU, expH, One);
        var signed = Vector256.ConditionalSelect(highest, -m, m);
        var tail = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(signed, Zero), expH * expU, Vector256.Min(expU / expH, expH / expU));
        var edge = lowest | highest;
        return (Vector256.ConditionalSelect(edge, Vector256.Min(h + signed, Zero), interiorLinear),
                Vector256.ConditionalSelect(edge, One, interiorNumerator),
                Vector256.ConditionalSelect(edge, One + tail, interiorDenominator));
    }

    /// <summary>sinh(h) / h = sum_n h^2n / (2n + 1)! for h^2 = <paramref name="h2"/> &lt; 1/4; the first omitted term is below 3e-11.</summary>
    static V SinhOverArgument(V h2)
    {
        var series = Vector256.FusedMultiplyAdd(h2, Vector256.Create(1f / 362880), Vector256.Create(1f / 5040));
        series = Vector256.FusedMultiplyAdd(h2, series, Vector256.Create(1f / 120));
        series = Vector256.FusedMultiplyAdd(h2, series, Vector256.Create(1f / 6));
        return Vector256.FusedMultiplyAdd(h2, series, One);
    }

    /// <summary>tanh t = 1 - 2 / (e^2t + 1): exact limits +-1 for large |t|, absolute error ~1e-7 near 0 (a location is a sum with |x'| &lt;= 1).</summary>
    static V Tanh(V t) => One - Two / (Vector256.Exp(t * Two) + One);

    /// <summary>max_j logit_j and sum_j exp(logit_j - max).</summary>
    static (V Max, V Sum) LogitNormalizer(float* output, MixtureLayout layout)
    {
        var max = NegativeInfinity;
        for (int j = 0; j < layout.Components; j++) max = Vector256.Max(max, Vector256.Load(output + layout.Logit(j)));
        var sum = Zero;
        for (int j = 0; j < layout.Components; j++) sum += Vector256.Exp(Vector256.Load(output + layout.Logit(j)) - max);
        return (max, sum);
    }
}
