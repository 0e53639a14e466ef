using MemScore.Core;

namespace MemScore.Analysis;

/// <summary>
/// Nonparametric maximum-likelihood estimate of a prior on a grid (Kiefer-Wolfowitz; EM as in Jiang &amp;
/// Zhang 2009) for observations x_i = theta_i + s_i e_i, e_i ~ a standardized <see cref="ErrorLaw"/>,
/// theta_i ~ G, with known heteroscedastic scales s_i.
/// </summary>
internal sealed class Npmle
{
    readonly double[] _grid;
    readonly double[] _weights;

    Npmle(double[] grid, double[] weights)
    {
        _grid = grid;
        _weights = weights;
    }

    public static Npmle Fit(double[] x, double[] scale, ErrorLaw law, int points, int iterations)
    {
        double lo = x.Min(), hi = x.Max();
        if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
        var grid = Enumerable.Range(0, points).Select(g => lo + (hi - lo) * g / (points - 1)).ToArray();
        int n = x.Length;
        var kernel = new double[n * points];
        for (int i = 0; i < n; i++)
            for (int g = 0; g < points; g++)
                kernel[i * points + g] = law.Density((x[i] - grid[g]) / scale[i]);   // the 1/s_i factor cancels in the EM step
        var w = Enumerable.Repeat(1.0 / points, points).ToArray();
        var next = new double[points];
        for (int it = 0; it < iterations; it++)
        {
            Array.Clear(next);
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int g = 0; g < points; g++) sum += w[g] * kernel[i * points + g];
                if (!(sum > 0)) continue;
                for (int g = 0; g < points; g++) next[g] += w[g] * kernel[i * points + g] / sum;
            }
            double total = next.Sum();
            if (!(total > 0)) break;
            for (int g = 0; g < points; g++) w[g] = next[g] / total;
        }
        return new Npmle(grid, w);
    }

    public Posterior PosteriorOf(double x, double scale, ErrorLaw law)
    {
        var p = new double[_grid.Length];
        for (int g = 0; g < _grid.Length; g++) p[g] = _weights[g] * law.Density((x - _grid[g]) / scale);
        double total = p.Sum();
        if (!(total > 0)) { Array.Clear(p); p[NearestIndex(x)] = 1; total = 1; }
        for (int g = 0; g < p.Length; g++) p[g] /= total;
        return new Posterior(_grid, p);
    }

    public double[] PosteriorMeans(double[] x, double[] scale, ErrorLaw law) =>
        x.Select((xi, i) => PosteriorOf(xi, scale[i], law).Mean).ToArray();

    int NearestIndex(double x)
    {
        int best = 0;
        for (int g = 1; g < _grid.Length; g++) if (Math.Abs(_grid[g] - x) < Math.Abs(_grid[best] - x)) best = g;
        return best;
    }

    public sealed class Posterior(double[] grid, double[] probabilities)
    {
        public double Mean => grid.Zip(probabilities, (g, p) => g * p).Sum();

        public double Sample(SplitMix64 rng)
        {
            double u = rng.NextDouble(), cumulative = 0;
            for (int g = 0; g < grid.Length - 1; g++)
            {
                cumulative += probabilities[g];
                if (u < cumulative) return grid[g];
            }
            return grid[^1];
        }
    }
}
