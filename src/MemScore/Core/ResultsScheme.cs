namespace MemScore.Core;

/// <summary>
/// The version of the rules that turn a config into results (what is drawn from which seed, in which
/// order, and what the models see). It enters the config hash (<c>ExperimentConfig.Hash</c>) and is
/// recorded as <c>results_scheme</c> in run.json and full.json, so a folder made under another scheme
/// is refused with a message naming both schemes rather than as "a different config". Bump
/// <see cref="Current"/> whenever the same config would give different task results for every family; add a line below.
/// </summary>
/// <remarks>
/// 1: every folder written before the scheme was recorded (no <c>results_scheme</c> field).
/// 2: dequantized data are padded before the evaluation draw, so scored padded pixels are
///    U(0, 1/256) like the training batches' (they were exactly 0); binarized data are padded
///    before the binarization draw (same distribution, other draws; probabilities on the 8-bit grid
///    as in training); SplitMix64.NextInt rejects with the right threshold (2^32 mod n), which can
///    change fold plans, in-model subsets and --limit subsets.
/// 3 and later: a family whose own results changed declares its scheme (ModelFamily.ResultsScheme, e.g. mol-dc-vae
///    at 3); the others keep <see cref="Current"/> and their hashes.
/// </remarks>
internal static class ResultsScheme
{
    public const int Current = 2;

    /// <summary>The scheme of a folder that records none: made before the scheme existed.</summary>
    public const int Unrecorded = 1;

    /// <summary>The refusal of a folder made under another scheme; <paramref name="what"/> says what kind of folder.</summary>
    public static MemScoreException Refusal(string path, int found, string what = "run folder", int expected = Current)
    {
        string when = found < expected ? "an earlier" : "a later";
        string advice = found < expected
            ? "its results cannot be resumed or extended by this version (they would mix two schemes); " +
              "rerun into a new --out, or finish it with the MemScore version that made it"
            : "use the MemScore version that made it";
        return new MemScoreException(ErrorKind.RunFolder,
            $"{path}: this {what} was made by {when} MemScore results scheme ({found}; this MemScore uses scheme {expected}, " +
            $"see README 'Reproducibility'); {advice}");
    }
}
