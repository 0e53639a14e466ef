using MemScore.Core;

namespace MemScore.Analysis;

/// <summary>
/// A standardized error law (mean 0, variance 1) from a sample: a Gaussian kernel density on a grid for
/// the likelihood, resampling for draws. <see cref="Normal"/> is N(0, 1).
/// </summary>
internal sealed class ErrorLaw
{
    const double Range = 15, Step = 0.05;
    readonly double[]? _sample;
    readonly double[]? _density;

    public static ErrorLaw Normal { get; } = new();

    ErrorLaw() { }

    public ErrorLaw(double[] standardized)
    {
        _sample = standardized.Where(double.IsFinite).ToArray();
        if (_sample.Length == 0) _sample = [0];
        int points = (int)(2 * Range / Step) + 1;
        var counts = new double[points];
        foreach (double x in _sample) counts[Math.Clamp((int)Math.Round((x + Range) / Step), 0, points - 1)]++;
        // Silverman's bandwidth for unit variance, at least two grid steps.
        double h = Math.Max(2 * Step, 1.06 * Math.Pow(_sample.Length, -0.2));
        int reach = (int)Math.Ceiling(4 * h / Step);
        var kernel = Enumerable.Range(-reach, 2 * reach + 1).Select(d => Math.Exp(-0.5 * Math.Pow(d * Step / h, 2))).ToArray();
        double norm = kernel.Sum() * Step * _sample.Length;
        _density = new double[points];
        for (int g = 0; g < points; g++)
        {
            if (counts[g] == 0) continue;
            for (int d = -reach; d <= reach; d++)
                if (g + d >= 0 && g + d < points) _density[g + d] += counts[g] * kernel[d + reach] / norm;
        }
        // A thin normal floor (weight 1e-4, sd 4) so that no residual has likelihood 0.
        for (int g = 0; g < points; g++)
        {
            double x = -Range + g * Step;
            _density[g] = (1 - 1e-4) * _density[g] + 1e-4 * Math.Exp(-x * x / 32) / Math.Sqrt(32 * Math.PI);
        }
    }

    /// <summary>Density at standardized residual <paramref name="x"/> (up to a constant for <see cref="Normal"/>).</summary>
    public double Density(double x)
    {
        if (_density is null) return Math.Exp(-0.5 * x * x);
        double position = (Math.Clamp(x, -Range, Range) + Range) / Step;
        int g = Math.Min((int)position, _density.Length - 2);
        double t = position - g;
        return (1 - t) * _density[g] + t * _density[g + 1];
    }

    public double Sample(SplitMix64 rng) => _sample is null ? Reliability.StandardNormal(rng) : _sample[rng.NextInt(_sample.Length)];
}
