namespace MemScore.Analysis;

/// <summary>
/// The predicted seed-to-seed Spearman of the reported M on its own: exactly the number
/// <see cref="ExampleStatistics.Compute"/> puts in the report (same permutation and reliability
/// options, same root seed), without the q-values and null bias it does not need.
/// </summary>
internal static class RankingReliability
{
    public static double PredictedSpearman(ModelValues values, EstimatorKind estimator, long seed)
    {
        ArgumentNullException.ThrowIfNull(values);
        var permutation = PermutationInference.Run(values, new PermutationOptions() with { Seed = seed }, moments: false);
        var reported = Estimators.Compute(values, estimator, seed).M;
        return Reliability.Predict(values, permutation, estimator, reported, seed, new ReliabilityOptions() with { Seed = seed }).PredictedSpearman;
    }
}
