using MemScore.Core;

namespace MemScore.Analysis;

/// <param name="SampleSize">Examples (a seeded subsample) the prediction is computed on: it is a property of the population, so a few thousand suffice.</param>
/// <param name="Relabellings">Relabellings per example for its error variance.</param>
/// <param name="GridPoints">Support points of the nonparametric prior (NPMLE).</param>
/// <param name="Iterations">EM iterations of the NPMLE.</param>
/// <param name="Replicates">Simulated pairs of runs averaged in the prediction.</param>
/// <param name="Seed">Root seed (subsample, relabellings, simulated runs).</param>
public sealed record ReliabilityOptions(int SampleSize = 3000, int Relabellings = 200, int GridPoints = 150, int Iterations = 200,
    int Replicates = 20, long Seed = 0);

/// <summary>How far the per-example ranking of M would repeat with another training seed.</summary>
/// <param name="PredictedSpearman">Predicted Spearman correlation of M between this run and an independent run of the same design (validated on the harness: within 0.1 of the measured value in null, weak, mixed and strong regimes, see ReliabilityTests).</param>
/// <param name="PearsonReliability">1 - mean(error variance) / var(M): the classical reliability on the value scale (dominated by the largest M when few examples are memorized).</param>
/// <param name="MeanErrorVariance">Mean over examples of the estimated seed-to-seed variance of M (nats^2).</param>
/// <param name="Examples">Examples the prediction rests on.</param>
public sealed record ReliabilityEstimate(double PredictedSpearman, double PearsonReliability, double MeanErrorVariance, int Examples)
{
    /// <summary>The ranking is mostly noise when another seed is predicted to agree at Spearman below 0.5 (or nothing can be said).</summary>
    public bool RankingMostlyNoise => !(PredictedSpearman >= 0.5);

    public static ReliabilityEstimate Unavailable { get; } = new(double.NaN, double.NaN, double.NaN, 0);
}

/// <summary>
/// Predicted seed-to-seed reliability of the M ranking, from one run.
///
/// Why not split-half: M computed from half the repeats has a different expectation (the paper
/// estimator's count-asymmetry bias depends on L and on each example's spread, and repeats in both
/// halves) and a different error law (heavy-tailed log p makes log-mean-exp's variance shrink slower
/// than 1/L, or even grow), so neither split-half Spearman nor Spearman-Brown predicts a second seed:
/// on the harness they read 0.15-0.45 where two runs agree at 0.03-0.34 (see ReliabilityTests).
///
/// What is done instead: a posterior-predictive simulation of two runs.
/// 1. Error variance V_i of the reported M_i around its expectation over seeds, under the shift model:
///    the values are corrected by a shrunken shift d_i (in-values lowered by d_i: NPMLE empirical-Bayes
///    posterior mean of the permutation point estimate, so null examples are corrected by ~0 and the
///    correction does not soak up their noise), then V_i = Var_pi(T_pi) + Var_jack(E_pi[T | repeats]):
///    the variance over relabellings given each repeat's values, plus the jackknife-over-repeats
///    variance of the relabelling mean (law of total variance; the first term alone misses 15-45%).
/// 2. A nonparametric prior G for the expectation mu_i = E[M_i] (NPMLE on a grid, normal kernel
///    N(M_i; mu, V_i)), one per bin of the example's robust spread (median absolute deviation of its
///    values within repeats), so the reproducible part of the paper's bias, which follows the spread,
///    stays with the examples that carry it.
/// 3. Simulated pairs of runs: mu*_i from the posterior of mu_i, M1 = mu* + sqrt(V_i) z1, M2 = mu* + sqrt(V_i) z2;
///    the prediction is the mean Spearman(M1, M2).
/// </summary>
public static class Reliability
{
    public static ReliabilityEstimate Predict(ModelValues values, PermutationResult permutation, EstimatorKind kind, IReadOnlyList<double> m,
        long balancedSeed, ReliabilityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(permutation);
        ArgumentNullException.ThrowIfNull(m);
        options ??= new ReliabilityOptions();
        int n = values.Count, l = values.Repeats, k = values.Folds;
        if (m.Count != n || permutation.Count != n) throw new ArgumentException("values, permutation results and M must describe the same examples");
        double z = NormalDistribution.UpperQuantile((1 - permutation.Design.IntervalLevel) / 2);
        var candidates = Enumerable.Range(0, n).Where(i => double.IsFinite(m[i]) && double.IsFinite(permutation.Shift[i])
            && double.IsFinite(permutation.Upper[i] - permutation.Lower[i]) && permutation.Upper[i] > permutation.Lower[i]).ToArray();
        if (candidates.Length < 20 || !double.IsFinite(z)) return ReliabilityEstimate.Unavailable;
        var rng = new SplitMix64(SeedDeriver.Derive(options.Seed, "reliability"));
        var sample = candidates.Length <= options.SampleSize ? candidates
            : rng.Permutation(candidates.Length).Take(options.SampleSize).Select(j => candidates[j]).Order().ToArray();
        int s = sample.Length;

        // 1. Shrunken shifts, then error variances at them.
        var shift = sample.Select(i => permutation.Shift[i]).ToArray();
        var shiftSe = sample.Select(i => (permutation.Upper[i] - permutation.Lower[i]) / (2 * z)).ToArray();
        var shrunk = Npmle.Fit(shift, shiftSe.Select(x => x * x).ToArray(), options.GridPoints, options.Iterations).PosteriorMeans(shift, shiftSe.Select(x => x * x).ToArray());
        var draws = RelabellingDraws(options.Relabellings, l, k, options.Seed);
        var offsets = Estimators.BalancedOffsets(l, k, balancedSeed);
        var variance = new double[s];
        var spread = new double[s];
        Parallel.For(0, s, () => new ErrorWorkspace(l, k, draws.Length), (j, _, w) =>
        {
            int i = sample[j];
            variance[j] = w.ErrorVariance(values.Block(i), values.OutFolds(i), shrunk[j], kind, draws, offsets);
            spread[j] = RobustSpread(values.Block(i), l, k);
            return w;
        }, _ => { });

        // 2. Priors for mu per spread bin, 3. simulated pairs of runs.
        var observed = sample.Select(i => m[i]).ToArray();
        int bins = Math.Clamp(s / 300, 1, 10);
        var order = Enumerable.Range(0, s).OrderBy(j => spread[j]).ThenBy(j => j).ToArray();
        var binOf = new int[s];
        for (int r = 0; r < s; r++) binOf[order[r]] = (int)((long)r * bins / s);
        var posteriors = new Npmle.Posterior[s];
        for (int b = 0; b < bins; b++)
        {
            var members = Enumerable.Range(0, s).Where(j => binOf[j] == b).ToArray();
            var prior = Npmle.Fit(members.Select(j => observed[j]).ToArray(), members.Select(j => variance[j]).ToArray(), options.GridPoints, options.Iterations);
            foreach (int j in members) posteriors[j] = prior.PosteriorOf(observed[j], variance[j]);
        }
        double total = 0;
        var a = new double[s];
        var c = new double[s];
        for (int t = 0; t < options.Replicates; t++)
        {
            for (int j = 0; j < s; j++)
            {
                double mu = posteriors[j].Sample(rng);
                double sd = Math.Sqrt(variance[j]);
                a[j] = mu + sd * StandardNormal(rng);
                c[j] = mu + sd * StandardNormal(rng);
            }
            total += Statistics.Spearman(a, c);
        }
        double meanVariance = variance.Average();
        double varM = Math.Pow(Statistics.StandardDeviation(observed), 2);
        return new ReliabilityEstimate(total / options.Replicates, 1 - meanVariance / varM, meanVariance, s);
    }

    static int[][] RelabellingDraws(int count, int l, int k, long seed)
    {
        var rng = new SplitMix64(SeedDeriver.Derive(seed, "reliability-relabelling"));
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, l).Select(_ => rng.NextInt(k)).ToArray()).ToArray();
    }

    /// <summary>Median absolute deviation of the example's values from their repeat means: its model-to-model spread, hardly moved by one outlying model.</summary>
    static double RobustSpread(ReadOnlySpan<double> block, int l, int k)
    {
        var deviations = new double[l * k];
        for (int r = 0; r < l; r++)
        {
            double mean = 0;
            for (int f = 0; f < k; f++) mean += block[r * k + f];
            mean /= k;
            for (int f = 0; f < k; f++) deviations[r * k + f] = Math.Abs(block[r * k + f] - mean);
        }
        Array.Sort(deviations);
        return deviations[deviations.Length / 2];
    }

    internal static double StandardNormal(SplitMix64 rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>The reported statistic over relabellings of the shift-corrected values, with all repeats and with each left out.</summary>
    sealed class ErrorWorkspace(int l, int k, int draws)
    {
        readonly double[] _c = new double[l * k];
        readonly double[] _full = new double[draws];
        readonly double[,] _leftOut = new double[l, draws];
        readonly double[] _inSum = new double[l], _out = new double[l];
        readonly double[,] _grouped = new double[k - 1, l];

        public double ErrorVariance(ReadOnlySpan<double> block, ReadOnlySpan<int> outs, double shift, EstimatorKind kind, int[][] relabellings, int[] offsets)
        {
            double max = double.NegativeInfinity;
            for (int r = 0; r < l; r++)
                for (int f = 0; f < k; f++)
                    max = Math.Max(max, block[r * k + f] - (f == outs[r] ? 0 : shift));
            for (int r = 0; r < l; r++)
                for (int f = 0; f < k; f++)
                    _c[r * k + f] = Math.Exp(block[r * k + f] - (f == outs[r] ? 0 : shift) - max);
            for (int b = 0; b < draws; b++)
            {
                var s = relabellings[b];
                for (int r = 0; r < l; r++)
                {
                    int o = (outs[r] + s[r]) % k;
                    _out[r] = _c[r * k + o];
                    double sum = 0;
                    for (int f = 0; f < k; f++) if (f != o) sum += _c[r * k + f];
                    _inSum[r] = sum;
                    for (int g = 0; g < k - 1; g++)
                    {
                        int t = (g + offsets[r]) % (k - 1);
                        _grouped[g, r] = _c[r * k + (t < o ? t : t + 1)];
                    }
                }
                _full[b] = Statistic(kind, -1);
                if (l > 1)
                    for (int r = 0; r < l; r++) _leftOut[r, b] = Statistic(kind, r);
            }
            double mean = _full.Average();
            double conditional = _full.Sum(t => (t - mean) * (t - mean)) / Math.Max(1, draws - 1);
            if (l < 2) return conditional;
            var means = new double[l];
            for (int r = 0; r < l; r++)
            {
                double sum = 0;
                for (int b = 0; b < draws; b++) sum += _leftOut[r, b];
                means[r] = sum / draws;
            }
            double jackMean = means.Average();
            return conditional + (l - 1.0) / l * means.Sum(x => (x - jackMean) * (x - jackMean));
        }

        /// <summary>Paper or balanced M of the current relabelling, without repeat <paramref name="skip"/> (-1: none).</summary>
        double Statistic(EstimatorKind kind, int skip)
        {
            int used = skip < 0 ? l : l - 1;
            double outSum = 0;
            for (int r = 0; r < l; r++) if (r != skip) outSum += _out[r];
            double v = Math.Log(outSum / used);
            if (kind == EstimatorKind.Paper)
            {
                double inSum = 0;
                for (int r = 0; r < l; r++) if (r != skip) inSum += _inSum[r];
                return Math.Log(inSum / (used * (k - 1.0))) - v;
            }
            double u = 0;
            for (int g = 0; g < k - 1; g++)
            {
                double sum = 0;
                for (int r = 0; r < l; r++) if (r != skip) sum += _grouped[g, r];
                u += Math.Log(sum / used);
            }
            return u / (k - 1) - v;
        }
    }
}

/// <summary>
/// Nonparametric maximum-likelihood estimate of a prior on a grid (Kiefer-Wolfowitz; EM as in Jiang &amp;
/// Zhang 2009) for observations x_i ~ N(theta_i, v_i), theta_i ~ G, with known heteroscedastic v_i.
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

    public static Npmle Fit(double[] x, double[] variance, int points, int iterations)
    {
        double lo = x.Min(), hi = x.Max();
        if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
        var grid = Enumerable.Range(0, points).Select(g => lo + (hi - lo) * g / (points - 1)).ToArray();
        int n = x.Length;
        var kernel = new double[n * points];
        for (int i = 0; i < n; i++)
            for (int g = 0; g < points; g++)
            {
                double d = x[i] - grid[g];
                kernel[i * points + g] = Math.Exp(-0.5 * d * d / variance[i]);   // the 1/sqrt(v_i) factor cancels in the EM step
            }
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
            for (int g = 0; g < points; g++) w[g] = next[g] / total;
        }
        return new Npmle(grid, w);
    }

    public Posterior PosteriorOf(double x, double variance)
    {
        var p = new double[_grid.Length];
        double best = double.PositiveInfinity;
        for (int g = 0; g < _grid.Length; g++) best = Math.Min(best, (x - _grid[g]) * (x - _grid[g]));
        for (int g = 0; g < _grid.Length; g++)
        {
            double d = x - _grid[g];
            p[g] = _weights[g] * Math.Exp(-0.5 * (d * d - best) / variance);   // shifted so the nearest point never underflows
        }
        double total = p.Sum();
        if (!(total > 0)) { Array.Clear(p); p[NearestIndex(x)] = 1; total = 1; }
        for (int g = 0; g < p.Length; g++) p[g] /= total;
        return new Posterior(_grid, p);
    }

    public double[] PosteriorMeans(double[] x, double[] variance) =>
        x.Select((xi, i) => PosteriorOf(xi, variance[i]).Mean).ToArray();

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
