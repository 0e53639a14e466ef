namespace MemScore.Api;

/// <summary>
/// One example's memorization score at the last evaluation epoch (van den Burg and Williams 2021, eq. 3):
/// U = log P(x | D), V = log P(x | D without x), M = U - V, in nats. NaN where a value is not available
/// (no in- or out-model; no interval or test when no repeat is complete or the design is too small).
/// </summary>
/// <param name="Row">Position of the example in the run (0..n-1).</param>
/// <param name="Index">Index of the example in its source data file.</param>
/// <param name="Label">Class label as the dataset gives it.</param>
/// <param name="U">Mean log-likelihood under the models trained with the example.</param>
/// <param name="V">Mean log-likelihood under the models trained without it.</param>
/// <param name="M">Memorization score U - V.</param>
/// <param name="InModels">How many models were trained with the example.</param>
/// <param name="OutModels">How many models were trained without it.</param>
/// <param name="Lower">Lower end of the interval for the example's population M (M_lo).</param>
/// <param name="Upper">Upper end of that interval (M_hi).</param>
/// <param name="P">Permutation p-value of "no memorization".</param>
/// <param name="Q">Benjamini-Hochberg q-value of <paramref name="P"/> over all examples.</param>
public sealed record ScoreRow(int Row, int Index, int Label, double U, double V, double M, int InModels, int OutModels,
    double Lower, double Upper, double P, double Q);
