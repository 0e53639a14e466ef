using System.Runtime.Intrinsics;

namespace MemScore.Analysis;

/// <param name="Permutations">B, Monte Carlo relabellings of the first stage (p, intervals, null bias); G = B + 1. 1999 gives a 95% interval with exactly 50 relabellings in each tail.</param>
/// <param name="ExactLimit">Enumerate all K^L relabellings instead when K^L is at most this.</param>
/// <param name="IntervalLevel">Nominal two-sided level of the interval for M.</param>
/// <param name="RefineBelow">Examples with fewer than this many relabellings at or above T_obs continue to the next stage (p-value refinement).</param>
/// <param name="RefinementWork">The last stage's B is the largest with n L B &lt;= this (a property of the design, not of the data, so the p-values stay valid).</param>
/// <param name="MaxPermutations">Upper bound on the last stage's B.</param>
/// <param name="ResolutionPerExample">The last stage's B is at most this many times n: p can then reach 1 / (this n), ten times below BH's first threshold 0.1 / n.</param>
/// <param name="Seed">Root seed of the relabelling draws.</param>
/// <param name="Threads">Degree of parallelism over examples (null = all cores). Results do not depend on it.</param>
internal sealed record PermutationOptions(
    int Permutations = 1999,
    int ExactLimit = 4096,
    double IntervalLevel = 0.95,
    int RefineBelow = 10,
    long RefinementWork = 4_000_000_000,
    int MaxPermutations = 1_000_000,
    int ResolutionPerExample = 100,
    long Seed = 0,
    int? Threads = null);

/// <summary>What the design allows, whatever the data: the smallest p-value and the interval's achieved level.</summary>
/// <param name="Exact">All K^L relabellings enumerated (else Monte Carlo).</param>
/// <param name="GroupSize">K^L.</param>
/// <param name="Permutations">Relabellings behind p (first stage), the intervals and the null bias: K^L - 1 exact, else B.</param>
/// <param name="MaxPermutations">Relabellings of the last refinement stage (= Permutations when exact or not refined).</param>
/// <param name="MinAttainableP">Smallest p-value any example can get: 1 / K^L exact, 1 / (B_last + 1) Monte Carlo.</param>
/// <param name="IntervalLevel">Achieved coverage of the interval under the shift model: 1 - 2 j / G (G = K^L, or B + 1); NaN when the design is too small for an interval of level &gt;= 0.9 (then M_lo = -inf, M_hi = +inf).</param>
internal sealed record PermutationDesign(bool Exact, double GroupSize, int Permutations, int MaxPermutations, double MinAttainableP, double IntervalLevel, int TailRank)
{
    /// <summary>Can Benjamini-Hochberg at <paramref name="fdr"/> declare anything at all among <paramref name="examples"/>? Only if the smallest p is &lt;= the FDR.</summary>
    public bool CanReachSignificance(double fdr) => MinAttainableP <= fdr;

    /// <summary>Can a single example be declared at <paramref name="fdr"/> among <paramref name="examples"/> (BH's first threshold fdr / n)?</summary>
    public bool SingleExampleCanReachSignificance(int examples, double fdr) => MinAttainableP <= fdr / Math.Max(1, examples);

    /// <summary>The fewest examples that must all sit at the smallest p for BH at <paramref name="fdr"/> to declare them: ceil(n p_min / fdr).</summary>
    public int ExamplesNeededAtMinimum(int examples, double fdr) => (int)Math.Min(int.MaxValue, Math.Ceiling(examples * MinAttainableP / fdr - 1e-12));
}

/// <summary>Per-example results of <see cref="PermutationInference"/> (NaN where an example lacks values).</summary>
/// <param name="M">The paper's M (the test statistic T_obs).</param>
/// <param name="P">One-sided permutation p-value of H0 (in and out values exchangeable) against larger in-values.</param>
/// <param name="Lower">Lower end of the interval for M under the shift model (see <see cref="PermutationInference"/>).</param>
/// <param name="Upper">Upper end.</param>
/// <param name="Shift">Hodges-Lehmann-type point estimate: the shift delta at which T_obs sits at the median of the relabelled statistics.</param>
/// <param name="NullBias">Expected value of the paper's M if x_i were not memorized: the mean of T over relabellings of the shift-corrected values.</param>
/// <param name="ErrorVariance">Variance of T over relabellings of the shift-corrected values: the estimator's seed-to-seed variance under the shift model, conditional on the values.</param>
/// <param name="RelabellingsUsed">Relabellings behind each p-value (more for small p after refinement).</param>
internal sealed record PermutationResult(double[] M, double[] P, double[] Lower, double[] Upper, double[] Shift, double[] NullBias, double[] ErrorVariance,
    int[] RelabellingsUsed, PermutationDesign Design)
{
    public int Count => M.Length;
}

/// <summary>
/// The per-example test, interval and null bias of M, all from one relabelling pass.
///
/// Test (H0: the in- and out-model values of log p(x_i) are exchangeable within each repeat): T = the
/// paper's M; relabel the out fold of each repeat (<see cref="Relabellings"/>); one-sided
/// p = #{T_perm &gt;= T_obs} / K^L exactly (identity included), or p = (1 + #{T_b &gt;= T_obs}) / (1 + B) with
/// B seeded draws. Any statistic gives a valid test; the paper's M carries its count-asymmetry bias into
/// every relabelled value too, so the bias cannot make an example significant.
///
/// Interval (shift model: in-values = out-values + delta in distribution, i.e. the corrected values
/// v - delta 1[in] are exchangeable): the set of delta not rejected by the two-sided test on the
/// corrected values. Under the shift model delta is the paper's population M = log E_in p - log E_out p
/// (a constant shift of log p multiplies p by e^delta), so the interval covers the population M exactly
/// (up to the discreteness 1 - 2j/G), for any noise shape, spread or tail and any repeat- or model-level
/// random effects, and it is automatically free of the paper estimator's count-asymmetry bias. When
/// memorization is not a pure shift (e.g. only some in-models jump), it covers the shift that makes the
/// two sides exchangeable, which then differs from log E_in p - log E_out p.
///
/// Inversion in closed form: with e = exp(v - max), per relabelling pi let X = sum of the original
/// in-exps it keeps in, Y = original out-exps it moves in, Z = original in-exps it moves out, W =
/// original out-exps it keeps out; X0, W0 the observed sums. With u = e^{-delta} scaling the original
/// in-values, T_obs(delta) - T_pi(delta) = ln(u X0) - ln W0 - ln(u X + Y) + ln(u Z + W), increasing in u, so
/// T_pi &gt;= T_obs iff delta &gt;= delta_pi, where u_pi = e^{-delta_pi} is the positive root of
/// X0 Z u^2 + (X0 W - W0 X) u - W0 Y = 0. The interval is [j-th smallest, j-th largest] of the delta_pi,
/// j = floor(alpha G / 2) (one relabelling per tail at least; none when that leaves a level below 0.9).
///
/// What small designs give (G = K^L relabellings): the interval needs j &gt;= 1 relabelling per tail, so
/// its level is 1 - 2j/G: L = 2 gives none at K = 2 (G = 4), 92% at K = 5 (G = 25), 96% at K = 10;
/// L = 5, K = 2 gives 93.75% (G = 32); from G &gt;= 40 it is 95% (exactly 95.0% with B = 1999 draws). The
/// smallest p-value is 1/G, so L = 2 can never declare an example memorized at FDR 10% among more than a
/// few examples (p &gt;= 0.04 at K = 5): <see cref="PermutationDesign"/> says so. Harness coverage is in
/// PermutationInferenceTests (0.937-0.957 at L &gt;= 5; 0.917 for the 92% and 0.958 for the 96% intervals).
///
/// Null bias: mean over relabellings of T on the values corrected by the point estimate; under H0 this
/// is exactly E[M_paper | the values of each repeat] (every relabelling is equally likely), and it is
/// what the paper's M shows for an example that is not memorized at all.
/// Cost: O(L) per (example, relabelling) after an O(L K) table per example; see the benchmark test.
/// </summary>
internal static class PermutationInference
{
    /// <param name="moments">Compute <see cref="PermutationResult.NullBias"/> and <see cref="PermutationResult.ErrorVariance"/> at the point
    /// estimate (false: NaN there; <see cref="NullMoments"/> computes them at other shifts).</param>
    public static PermutationResult Run(ModelValues values, PermutationOptions? options = null, bool moments = true)
    {
        ArgumentNullException.ThrowIfNull(values);
        options ??= new PermutationOptions();
        if (!(options.IntervalLevel > 0 && options.IntervalLevel < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.IntervalLevel, "IntervalLevel must be in (0, 1)");
        int n = values.Count, l = values.Repeats, k = values.Folds;
        var relabellings = Relabellings.Create(l, k, options.Permutations, options.ExactLimit, options.Seed);
        bool exact = relabellings.Exact;
        int first = relabellings.Count;
        double g = exact ? relabellings.GroupSize : first + 1;
        double alpha = 1 - options.IntervalLevel;
        int tail = (int)Math.Floor(alpha * g / 2 + 1e-9);
        if (tail == 0 && 1 - 2 / g >= 0.9) tail = 1;
        double level = tail == 0 ? double.NaN : 1 - 2 * tail / g;

        var m = Filled(n); var p = Filled(n); var lo = Filled(n); var hi = Filled(n);
        var shift = Filled(n); var bias = Filled(n); var variance = Filled(n);
        var used = new int[n];
        var exceed = new int[n];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? -1 };
        Parallel.For(0, n, parallel, () => new Workspace(l, k, first), (i, _, w) =>
        {
            if (!values.IsComplete(i)) return w;
            w.Load(values.Block(i), values.OutFolds(i));
            var table = relabellings.Table;
            var identities = relabellings.Identities;
            var sums = w.Sums;
            int count = 0, ties = 0, finite = 0;
            for (int b = 0; b < first; b++)
            {
                // (X, Y, Z, W) of relabelling b: one 4-wide add per repeat.
                var acc = Vector256<double>.Zero;
                int offset = b * l;
                for (int r = 0; r < l; r++) acc += sums[r * k + table[offset + r]];
                double x = acc[0], y = acc[1], z = acc[2], ww = acc[3];
                w.X[b] = x; w.Y[b] = y; w.Z[b] = z; w.W[b] = ww;
                if (identities[b]) { ties++; continue; }
                if ((x + y) * w.W0 >= w.X0 * (z + ww)) count++;
                // delta_pi = -ln u_pi is decreasing in u: select on u, take logs of the chosen ones only.
                w.Delta[finite++] = CrossingRoot(w.X0, w.W0, x, y, z, ww);
            }
            m[i] = w.Observed;
            exceed[i] = count + ties;
            used[i] = first;
            p[i] = exact ? (1.0 + count) / g : (1.0 + count + ties) / (first + 1.0);
            // Identity draws tie at every delta: each one lowers the rank needed in both tails.
            int j = tail - ties;
            var roots = w.Delta.AsSpan(0, finite);
            // j-th smallest delta = j-th largest u.
            lo[i] = j <= 0 || tail == 0 ? double.NegativeInfinity : ShiftOf(Select(roots, finite - j));
            hi[i] = j <= 0 || tail == 0 ? double.PositiveInfinity : ShiftOf(Select(roots, j - 1));
            double centre = finite == 0 ? 0 : ShiftOf(Select(roots, finite / 2));
            shift[i] = centre;
            if (moments) (bias[i], variance[i]) = w.MomentsAt(centre, first, exact);
            return w;
        }, _ => { });

        int last = first;
        if (!exact)
        {
            int complete = Enumerable.Range(0, n).Count(values.IsComplete);
            long cap = Math.Max(first, Math.Min(Math.Min(options.MaxPermutations, (long)options.ResolutionPerExample * complete),
                options.RefinementWork / Math.Max(1L, (long)complete * l)));
            var pending = Enumerable.Range(0, n).Where(i => !double.IsNaN(p[i]) && exceed[i] < options.RefineBelow).ToArray();
            while (last < cap)
            {
                int next = (int)Math.Min(cap, 8L * (last + 1) - 1);
                relabellings.Extend(next);
                var table = relabellings.Table;
                int from = last;
                // Every example moves through the same stage schedule (fixed by n, L and the options), so each
                // reported p is (1 + count) / (1 + B_s) at a stage s reached only while fewer than RefineBelow
                // relabellings exceeded T_obs; P(p <= a) <= a still holds (the continuation event implies a small
                // earlier-stage p, and each stage's p is a valid fixed-B p-value).
                Parallel.ForEach(pending, parallel, () => new Workspace(l, k, 0), (i, _, w) =>
                {
                    w.Load(values.Block(i), values.OutFolds(i));
                    int count = exceed[i];
                    var sums = w.Sums;
                    for (int b = from; b < next; b++)
                    {
                        var acc = Vector256<double>.Zero;
                        int offset = b * l;
                        for (int r = 0; r < l; r++) acc += sums[r * k + table[offset + r]];
                        // Identity draws have X = X0, Y = Z = 0, W = W0: the comparison counts them as ties (>=).
                        if ((acc[0] + acc[1]) * w.W0 >= w.X0 * (acc[2] + acc[3])) count++;
                    }
                    exceed[i] = count;
                    used[i] = next;
                    p[i] = (1.0 + count) / (next + 1.0);
                    return w;
                }, _ => { });
                last = next;
                pending = pending.Where(i => exceed[i] < options.RefineBelow).ToArray();
            }
        }
        double minP = exact ? 1 / g : 1.0 / (last + 1);
        var design = new PermutationDesign(exact, relabellings.GroupSize, first, last, minP, level, tail);
        return new PermutationResult(m, p, lo, hi, shift, bias, variance, used, design);
    }

    /// <summary>
    /// Mean and variance over the relabellings of T on the values with each example's in-values lowered by
    /// <paramref name="shifts"/>[i] (the same relabellings as <see cref="Run"/> with these options). The mean
    /// is the paper's M expected with no memorization (null bias); at the true shift it is exactly
    /// E[M | each repeat's values] under H0. Evaluated at the point estimate it comes out ~7-10% low
    /// (the estimate is fitted to the same values and takes some of their extremes with it), so
    /// <see cref="ExampleStatistics"/> evaluates it at an empirical-Bayes shrunken shift.
    /// </summary>
    public static (double[] Mean, double[] Variance) NullMoments(ModelValues values, IReadOnlyList<double> shifts, PermutationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shifts);
        options ??= new PermutationOptions();
        int n = values.Count, l = values.Repeats, k = values.Folds;
        var relabellings = Relabellings.Create(l, k, options.Permutations, options.ExactLimit, options.Seed);
        int draws = relabellings.Count;
        var mean = Filled(n);
        var variance = Filled(n);
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? -1 }, () => new Workspace(l, k, draws), (i, _, w) =>
        {
            if (!values.IsComplete(i) || !double.IsFinite(shifts[i])) return w;
            w.Load(values.Block(i), values.OutFolds(i));
            var table = relabellings.Table;
            for (int b = 0; b < draws; b++)
            {
                var acc = Vector256<double>.Zero;
                int offset = b * l;
                for (int r = 0; r < l; r++) acc += w.Sums[r * k + table[offset + r]];
                w.X[b] = acc[0]; w.Y[b] = acc[1]; w.Z[b] = acc[2]; w.W[b] = acc[3];
            }
            (mean[i], variance[i]) = w.MomentsAt(shifts[i], draws, relabellings.Exact);
            return w;
        }, _ => { });
        return (mean, variance);
    }

    /// <summary>
    /// Jackknife-over-repeats variance of the point estimate <see cref="PermutationResult.Shift"/>:
    /// (L-1)/L sum_r (Shift_(-r) - mean)^2, each Shift_(-r) from the other L-1 repeats with
    /// <paramref name="permutations"/> relabellings. The interval is exact given each repeat's values, but
    /// the point estimate also moves with those values from seed to seed; comparing two runs needs that
    /// unconditional variance (the interval widths alone made |z| &gt; 1.96 twice as common as 5% on the
    /// harness). Efron-Stein: in expectation at least the variance of the estimate from L-1 repeats, so
    /// conservative. NaN for L &lt; 2.
    /// </summary>
    public static double[] JackknifeShiftVariance(ModelValues values, PermutationOptions? options = null, int permutations = 199)
    {
        ArgumentNullException.ThrowIfNull(values);
        options ??= new PermutationOptions();
        int n = values.Count, l = values.Repeats;
        var result = Filled(n);
        if (l < 2) return result;
        var leftOut = Enumerable.Range(0, l).Select(r => Run(values.Subset(Enumerable.Range(0, l).Where(x => x != r).ToArray()),
            options with { Permutations = permutations, RefineBelow = 0 }).Shift).ToArray();
        for (int i = 0; i < n; i++)
        {
            double mean = 0;
            for (int r = 0; r < l; r++) mean += leftOut[r][i];
            mean /= l;
            double sum = 0;
            for (int r = 0; r < l; r++) sum += (leftOut[r][i] - mean) * (leftOut[r][i] - mean);
            result[i] = double.IsFinite(sum) ? (l - 1.0) / l * sum : double.NaN;
        }
        return result;
    }

    /// <summary>
    /// delta_pi: the shift of the in-values at which relabelling pi's statistic equals the observed one.
    /// u = e^{-delta} solves X0 Z u^2 + (X0 W - W0 X) u - W0 Y = 0 (one positive root when Y, Z &gt; 0);
    /// no root means the two never cross (+inf: T_pi &lt; T_obs at every delta; -inf: T_pi &gt;= T_obs at every delta).
    /// </summary>
    public static double CrossingShift(double x0, double w0, double x, double y, double z, double w) => ShiftOf(CrossingRoot(x0, w0, x, y, z, w));

    /// <summary>u_pi = e^{-delta_pi} of <see cref="CrossingShift"/> (0 and +inf where the two never cross).</summary>
    static double CrossingRoot(double x0, double w0, double x, double y, double z, double w)
    {
        double a = x0 * z, b = x0 * w - w0 * x, c = w0 * y;
        double u;
        if (c == 0) u = a > 0 && b < 0 ? -b / a : 0;
        else if (a == 0) u = b > 0 ? c / b : double.PositiveInfinity;
        else
        {
            double disc = Math.Sqrt(b * b + 4 * a * c);
            u = b >= 0 ? 2 * c / (b + disc) : (disc - b) / (2 * a);   // the stable form of the positive root
        }
        return u;
    }

    static double ShiftOf(double u) => u > 0 ? -Math.Log(u) : double.PositiveInfinity;

    /// <summary>Benjamini-Hochberg q-values (step-up, monotone): q_(i) = min_{j &gt;= i} n p_(j) / j over the finite p; NaN stays NaN.</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var order = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ThenBy(i => i).ToArray();
        var q = Filled(p.Count);
        double running = 1;
        for (int rank = order.Length; rank >= 1; rank--)
        {
            int i = order[rank - 1];
            running = Math.Min(running, p[i] * order.Length / rank);
            q[i] = running;
        }
        return q;
    }

    static double[] Filled(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }

    /// <summary>k-th smallest (0-based) of <paramref name="a"/>, reordering it (Wirth's selection, expected O(n)).</summary>
    static double Select(Span<double> a, int k)
    {
        int left = 0, right = a.Length - 1;
        while (left < right)
        {
            double x = a[k];
            int i = left, j = right;
            do
            {
                while (a[i] < x) i++;
                while (x < a[j]) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            } while (i <= j);
            if (j < k) left = i;
            if (k < i) right = j;
        }
        return a[k];
    }

    /// <summary>Per-thread tables: for each (repeat r, shift s) the contributions to X, Y, Z, W of putting fold (f_r + s) mod K out.</summary>
    sealed class Workspace(int l, int k, int draws)
    {
        /// <summary>[r * K + s] = (X, Y, Z, W) contributions of repeat r under shift s.</summary>
        public readonly Vector256<double>[] Sums = new Vector256<double>[l * k];
        public readonly double[] X = new double[draws], Y = new double[draws], Z = new double[draws], W = new double[draws], Delta = new double[draws];
        readonly double[] _e = new double[k], _prefix = new double[k + 1], _suffix = new double[k + 1];
        public double X0, W0, Observed;
        readonly double _countRatio = Math.Log((double)l / (l * (k - 1)));   // ln(n_out / n_in)

        public void Load(ReadOnlySpan<double> block, ReadOnlySpan<int> outs)
        {
            double max = double.NegativeInfinity;
            foreach (double v in block) max = Math.Max(max, v);
            X0 = 0; W0 = 0;
            for (int r = 0; r < l; r++)
            {
                int f = outs[r];
                for (int c = 0; c < k; c++) _e[c] = Math.Exp(block[r * k + c] - max);
                double outExp = _e[f];
                _e[f] = 0;   // the in-sums below exclude the out fold
                _prefix[0] = 0;
                for (int c = 0; c < k; c++) _prefix[c + 1] = _prefix[c] + _e[c];
                _suffix[k] = 0;
                for (int c = k - 1; c >= 0; c--) _suffix[c] = _suffix[c + 1] + _e[c];
                for (int s = 0; s < k; s++)
                {
                    int idx = r * k + s;
                    if (s == 0) Sums[idx] = Vector256.Create(_prefix[k], 0, 0, outExp);
                    else
                    {
                        int j = (f + s) % k;
                        // Sum of the in-exps other than fold j, without cancellation (prefix + suffix around j).
                        Sums[idx] = Vector256.Create(_prefix[j] + _suffix[j + 1], outExp, _e[j], 0);
                    }
                }
                X0 += _prefix[k];
                W0 += outExp;
            }
            Observed = Math.Log(X0 / W0) + _countRatio;
        }

        /// <summary>Mean and variance over the relabellings of T on the values with the in-values lowered by <paramref name="delta"/>.</summary>
        public (double Mean, double Variance) MomentsAt(double delta, int draws, bool includeIdentity)
        {
            if (!double.IsFinite(delta)) return (double.NaN, double.NaN);
            double u = Math.Exp(-delta);
            double reference = Observed - delta;   // T of the identity; sums of deviations from it avoid cancellation
            double sum = 0, sumSq = 0;
            int count = includeIdentity ? 1 : 0;
            for (int b = 0; b < draws; b++)
            {
                double t = Math.Log((u * X[b] + Y[b]) / (u * Z[b] + W[b])) + _countRatio - reference;
                sum += t; sumSq += t * t; count++;
            }
            double mean = sum / count;
            return (reference + mean, Math.Max(0, (sumSq - count * mean * mean) / Math.Max(1, count - 1)));
        }
    }
}
