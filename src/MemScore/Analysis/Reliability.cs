using MemScore.Core;

namespace MemScore.Analysis;

/// <param name="SampleSize">Examples (a seeded subsample) the prediction is computed on: it is a property of the population, so a few thousand suffice.</param>
/// <param name="Relabellings">Relabellings per example for its error variance.</param>
/// <param name="GridPoints">Support points of the nonparametric prior (NPMLE).</param>
/// <param name="Iterations">EM iterations of the NPMLE.</param>
/// <param name="Replicates">Simulated pairs of runs averaged in the prediction.</param>
/// <param name="Seed">Root seed (subsample, relabellings, simulated runs).</param>
internal sealed record ReliabilityOptions(int SampleSize = 3000, int Relabellings = 200, int GridPoints = 150, int Iterations = 200,
    int Replicates = 20, long Seed = 0);

/// <summary>How far the per-example ranking of M would repeat with another training seed.</summary>
/// <param name="PredictedSpearman">Predicted Spearman correlation of M between this run and an independent run of the same design (validated on the harness: within 0.1 of the measured value in null, weak, mixed and strong regimes, see ReliabilityTests).</param>
/// <param name="PearsonReliability">1 - mean(error variance) / var(M): the classical reliability on the value scale (dominated by the largest M when few examples are memorized).</param>
/// <param name="MeanErrorVariance">Mean over examples of the estimated seed-to-seed variance of M (nats^2).</param>
/// <param name="Examples">Examples the prediction rests on.</param>
internal sealed record ReliabilityEstimate(double PredictedSpearman, double PearsonReliability, double MeanErrorVariance, int Examples)
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
/// What is done instead: a posterior-predictive simulation of two runs, on a seeded subsample.
/// Under the shift model M_i = delta_i + b_i + e_i: delta_i the memorization (the population M), b_i the
/// estimator's bias at delta = 0 (the paper's count asymmetry; 0 for the balanced estimator), e_i the
/// seed-to-seed error.
/// 1. delta: a nonparametric prior (NPMLE on a grid, Kiefer-Wolfowitz) for the permutation point
///    estimates with their interval-based standard errors; posterior per example.
/// 2. e: V_i = Var_pi(T_pi) + Var_jack(E_pi[T | repeats]) of the reported statistic T on the values
///    corrected by the posterior mean of delta (null examples are corrected by ~0, so the correction does
///    not soak up their noise): the variance over relabellings given each repeat's values plus the
///    jackknife-over-repeats variance of the relabelling mean (law of total variance; the first term
///    alone misses 15-45% on the harness). Its shape: the standardized relabelling deviations pooled
///    within a bin of the example's robust spread (median absolute deviation of its values within
///    repeats): heavy tails move few ranks far and most ranks little, which normal errors of the same
///    variance would not.
/// 3. b: the relabelling mean of T on the corrected values.
///    V and b are smoothed over the ~100 examples nearest in robust spread: a second run repeats what
///    follows the spread, not this run's outliers (which also keeps an example's own error out of its V).
/// 4. Pairs of runs: M = delta* + b + sqrt(V) e* and M' = delta* + b + sqrt(V) e'*, delta* drawn from the
///    posterior, e*, e'* from the bin's error law; the prediction is their mean Spearman.
/// </summary>
internal static class Reliability
{
    /// <summary>
    /// The empirical-Bayes prior of the shifts (NPMLE on a seeded subsample of the examples with bounded
    /// intervals, standard error = interval width / (2 z_level)) and every example's posterior mean:
    /// null examples are pulled to ~0, strongly memorized ones stay near their point estimate. An interval
    /// of width 0 (no model-to-model noise) keeps its point estimate; examples without a bounded interval
    /// get 0, and so do all when fewer than 20 examples have intervals of positive width (no prior to fit).
    /// </summary>
    public static double[] ShrunkShifts(PermutationResult permutation, ReliabilityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(permutation);
        options ??= new ReliabilityOptions();
        var prior = ShiftPrior.Fit(permutation, options);
        if (prior is null)
            return Enumerable.Range(0, permutation.Count).Select(i => double.IsFinite(permutation.Shift[i]) && permutation.Upper[i] == permutation.Lower[i] ? permutation.Shift[i] : 0).ToArray();
        var shrunk = new double[permutation.Count];
        for (int i = 0; i < shrunk.Length; i++)
            shrunk[i] = prior.Value.Usable(permutation, i) ? prior.Value.Posterior(permutation, i).Mean
                : double.IsFinite(permutation.Shift[i]) && permutation.Upper[i] == permutation.Lower[i] ? permutation.Shift[i] : 0;
        return shrunk;
    }

    readonly record struct ShiftPrior(Npmle Prior, double Z)
    {
        public bool Usable(PermutationResult p, int i) => double.IsFinite(p.Shift[i]) && double.IsFinite(p.Upper[i] - p.Lower[i]) && p.Upper[i] > p.Lower[i];

        public Npmle.Posterior Posterior(PermutationResult p, int i) =>
            Prior.PosteriorOf(p.Shift[i], (p.Upper[i] - p.Lower[i]) / (2 * Z), ErrorLaw.Normal);

        public static ShiftPrior? Fit(PermutationResult p, ReliabilityOptions options)
        {
            double z = NormalDistribution.UpperQuantile((1 - p.Design.IntervalLevel) / 2);
            if (!double.IsFinite(z)) return null;
            var usable = Enumerable.Range(0, p.Count).Where(i => double.IsFinite(p.Shift[i]) && double.IsFinite(p.Upper[i] - p.Lower[i]) && p.Upper[i] > p.Lower[i]).ToArray();
            if (usable.Length < 20) return null;
            var rng = new SplitMix64(new SeedSchedule(options.Seed).ShiftPrior);
            var sample = usable.Length <= options.SampleSize ? usable : rng.Permutation(usable.Length).Take(options.SampleSize).Select(j => usable[j]).ToArray();
            var prior = Npmle.Fit(sample.Select(i => p.Shift[i]).ToArray(), sample.Select(i => (p.Upper[i] - p.Lower[i]) / (2 * z)).ToArray(),
                ErrorLaw.Normal, options.GridPoints, options.Iterations);
            return new ShiftPrior(prior, z);
        }
    }

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
        var rng = new SplitMix64(new SeedSchedule(options.Seed).Reliability);
        var sample = candidates.Length <= options.SampleSize ? candidates
            : rng.Permutation(candidates.Length).Take(options.SampleSize).Select(j => candidates[j]).Order().ToArray();
        int s = sample.Length;

        // 1. Shrunken shifts, then error variances at them.
        if (ShiftPrior.Fit(permutation, options) is not { } shiftPrior) return ReliabilityEstimate.Unavailable;
        var shiftPosteriors = sample.Select(i => shiftPrior.Posterior(permutation, i)).ToArray();
        var shrunk = shiftPosteriors.Select(p => p.Mean).ToArray();
        var draws = RelabellingDraws(options.Relabellings, l, k, options.Seed);
        var offsets = Estimators.BalancedOffsets(l, k, balancedSeed);
        var variance = new double[s];
        var spread = new double[s];
        var shapes = new double[s][];
        var bias = new double[s];
        Parallel.For(0, s, () => new ErrorWorkspace(l, k, draws.Length), (j, _, w) =>
        {
            int i = sample[j];
            (variance[j], shapes[j], bias[j]) = w.ErrorVariance(values.Block(i), values.OutFolds(i), shrunk[j], kind, draws, offsets);
            spread[j] = RobustSpread(values.Block(i), l, k);
            return w;
        }, _ => { });

        // 2. Priors for mu per spread bin, 3. simulated pairs of runs.
        var observed = sample.Select(i => m[i]).ToArray();
        int bins = Math.Clamp(s / 300, 1, 10);
        var order = Enumerable.Range(0, s).OrderBy(j => spread[j]).ThenBy(j => j).ToArray();
        var binOf = new int[s];
        for (int r = 0; r < s; r++) binOf[order[r]] = (int)((long)r * bins / s);
        // A second run does not repeat this run's outliers: its error variance follows the example's spread,
        // not this run's draw. Smooth V over neighbours in spread (running mean over ~100 examples), which also
        // removes the correlation between an example's own error and its estimated V.
        int half = Math.Min(50, s / 2);
        double[] Smooth(double[] x)
        {
            var smooth = new double[s];
            for (int r = 0; r < s; r++)
            {
                int from = Math.Max(0, r - half), to = Math.Min(s, r + half + 1);
                double sum = 0;
                for (int q = from; q < to; q++) sum += x[order[q]];
                smooth[order[r]] = sum / (to - from);
            }
            return smooth;
        }
        variance = Smooth(variance);
        // The estimator's bias at delta = 0 (mean over relabellings of the corrected values) follows the spread too.
        var smoothBias = Smooth(bias);
        // The error law of each spread bin: the pooled standardized relabelling deviations of its examples
        // (heavy upper tails move few ranks far and most ranks little; a normal law of the same variance
        // would scramble more ranks). Used both as the NPMLE kernel and to draw the simulated runs' errors.
        var laws = new ErrorLaw[bins];
        var sd = variance.Select(Math.Sqrt).ToArray();
        for (int b = 0; b < bins; b++)
            laws[b] = new ErrorLaw(Enumerable.Range(0, s).Where(j => binOf[j] == b).SelectMany(j => shapes[j]).ToArray());
        double Error(int j) => sd[j] * laws[binOf[j]].Sample(rng);
        double total = 0;
        var a = new double[s];
        var c = new double[s];
        for (int t = 0; t < options.Replicates; t++)
        {
            for (int j = 0; j < s; j++)
            {
                double mu = shiftPosteriors[j].Sample(rng) + smoothBias[j];
                a[j] = mu + Error(j);
                c[j] = mu + Error(j);
            }
            total += Statistics.Spearman(a, c);
        }
        double meanVariance = variance.Average();
        double varM = Math.Pow(Statistics.StandardDeviation(observed), 2);
        return new ReliabilityEstimate(total / options.Replicates, 1 - meanVariance / varM, meanVariance, s);
    }

    static int[][] RelabellingDraws(int count, int l, int k, long seed)
    {
        var rng = new SplitMix64(new SeedSchedule(seed).ReliabilityRelabelling);
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

        /// <summary>The error variance and the relabelling deviations standardized to mean 0, variance 1 (the error's shape).</summary>
        public (double Variance, double[] Shape, double Mean) ErrorVariance(ReadOnlySpan<double> block, ReadOnlySpan<int> outs, double shift, EstimatorKind kind, int[][] relabellings, int[] offsets)
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
            double sd = Math.Sqrt(conditional);
            var shape = _full.Select(t => sd > 0 ? (t - mean) / sd : 0).ToArray();
            if (l < 2) return (conditional, shape, mean);
            var means = new double[l];
            for (int r = 0; r < l; r++)
            {
                double sum = 0;
                for (int b = 0; b < draws; b++) sum += _leftOut[r, b];
                means[r] = sum / draws;
            }
            double jackMean = means.Average();
            return (conditional + (l - 1.0) / l * means.Sum(x => (x - jackMean) * (x - jackMean)), shape, mean);
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
