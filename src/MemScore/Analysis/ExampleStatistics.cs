using MemScore.Memorization;

namespace MemScore.Analysis;

/// <param name="Estimator">Which M is reported (and whose reliability is predicted).</param>
/// <param name="Fdr">Benjamini-Hochberg level for "memorized".</param>
/// <param name="Seed">The run's root seed: relabellings, balanced groupings and the reliability simulation derive from it.</param>
internal sealed record ExampleStatisticsOptions(EstimatorKind Estimator = EstimatorKind.Paper, double Fdr = 0.1, long Seed = 0,
    PermutationOptions? Permutation = null, ReliabilityOptions? Reliability = null);

/// <summary>
/// Everything issue 12 asks per example at one evaluation epoch, from the per-model values: the
/// interval for M and the permutation test (<see cref="PermutationInference"/>), BH q-values, the paper
/// estimator's null bias, and the predicted seed-to-seed reliability of the reported M
/// (<see cref="Reliability"/>). Seeded from the run's root seed, so reruns give the same numbers.
/// </summary>
internal static class ExampleStatistics
{
    public static ScoreInference Compute(ModelValues values, ExampleStatisticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.Fdr > 0 && options.Fdr < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Fdr, "Fdr must be in (0, 1)");
        var permutationOptions = (options.Permutation ?? new PermutationOptions()) with { Seed = options.Seed };
        var reliabilityOptions = (options.Reliability ?? new ReliabilityOptions()) with { Seed = options.Seed };
        var permutation = PermutationInference.Run(values, permutationOptions, moments: false);
        var q = PermutationInference.BenjaminiHochberg(permutation.P);
        // Null bias at the empirical-Bayes shrunken shift (0 where the design gives no interval): unbiased
        // under H0 on the harness, where the point estimate itself read 7-10% low.
        var shrunk = Reliability.ShrunkShifts(permutation, reliabilityOptions);
        var (nullBias, _) = PermutationInference.NullMoments(values, shrunk, permutationOptions);
        var reported = Estimators.Compute(values, options.Estimator, options.Seed).M;
        var reliability = Reliability.Predict(values, permutation, options.Estimator, reported, options.Seed, reliabilityOptions);
        var design = permutation.Design;
        int tested = permutation.P.Count(double.IsFinite);
        return new ScoreInference(permutation.Lower, permutation.Upper, permutation.P, q, nullBias, permutation.Shift,
            design.IntervalLevel, design.MinAttainableP, design.Exact, design.Permutations, design.MaxPermutations,
            options.Fdr, q.Count(x => x <= options.Fdr), design.CanReachSignificance(options.Fdr),
            design.SingleExampleCanReachSignificance(tested, options.Fdr), design.ExamplesNeededAtMinimum(tested, options.Fdr),
            reliability.PredictedSpearman, reliability.PearsonReliability, values.Repeats);
    }
}
