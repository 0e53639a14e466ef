using System.Globalization;
using System.Text;
using System.Text.Json;
using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>
/// Writes <see cref="Scores"/> as CSV (round-trip float formatting), summary.npz and scores.json.
/// scores.csv (last evaluation epoch) carries the per-example interval and test: M_lo, M_hi (interval for
/// the population M), p, q (permutation p-value, Benjamini-Hochberg q-value); scores_by_epoch.csv has the
/// estimates only. scores.json records the estimator and the run-level numbers (design limits, the count
/// memorized at the FDR, predicted reliability).
/// </summary>
internal static class ScoreFiles
{
    const string Header = "index,label,U,V,M,n_in,n_out";
    const string InferenceHeader = ",M_lo,M_hi,p,q";

    public static string StatisticsPath(RunFolder folder) => Path.Combine(folder.Root, "scores.json");

    public static void WriteAll(RunFolder folder, Scores scores)
    {
        AtomicFile.WriteAllText(folder.ScoresCsvPath, LastEpochCsv(scores));
        AtomicFile.WriteAllText(folder.ScoresByEpochCsvPath, AllEpochsCsv(scores));
        WriteSummary(folder.SummaryPath, scores);
        AtomicFile.WriteAllText(StatisticsPath(folder), StatisticsJson(scores));
    }

    /// <summary>Round-trip text; an empty field where an example has no value (partial aggregation).</summary>
    static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    static void Row(StringBuilder sb, Scores s, int i, int column)
    {
        sb.Append(s.SourceIndices[i]).Append(',').Append(s.Labels[i]).Append(',')
          .Append(F(s.U[i, column])).Append(',').Append(F(s.V[i, column])).Append(',').Append(F(s.M(i, column))).Append(',')
          .Append(s.CountIn[i]).Append(',').Append(s.CountOut[i]);
    }

    public static string LastEpochCsv(Scores scores)
    {
        var sb = new StringBuilder(Header).Append(InferenceHeader).Append('\n');
        var inference = scores.Inference;
        for (int i = 0; i < scores.Count; i++)
        {
            Row(sb, scores, i, scores.LastEpochColumn);
            if (inference is null) sb.Append(",,,,");
            else sb.Append(',').Append(F(inference.Lower[i])).Append(',').Append(F(inference.Upper[i])).Append(',')
                   .Append(F(inference.P[i])).Append(',').Append(F(inference.Q[i]));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string AllEpochsCsv(Scores scores)
    {
        var sb = new StringBuilder("epoch,").Append(Header).Append('\n');
        for (int c = 0; c < scores.EvaluationEpochs.Length; c++)
            for (int i = 0; i < scores.Count; i++)
            {
                sb.Append(scores.EvaluationEpochs[c]).Append(',');
                Row(sb, scores, i, c);
                sb.Append('\n');
            }
        return sb.ToString();
    }

    public static void WriteSummary(string path, Scores scores)
    {
        int n = scores.Count, e = scores.EvaluationEpochs.Length;
        var u = new double[n * e];
        var v = new double[n * e];
        var m = new double[n * e];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < e; c++)
            {
                u[i * e + c] = scores.U[i, c];
                v[i * e + c] = scores.V[i, c];
                m[i * e + c] = scores.M(i, c);
            }
        double[] Last(Func<ScoreInference, double[]> pick) => scores.Inference is { } inference ? pick(inference) : Enumerable.Repeat(double.NaN, n).ToArray();
        Npz.Write(path, new Dictionary<string, NpyArray>
        {
            ["U"] = NpyArray.FromDoubles(u, n, e),
            ["V"] = NpyArray.FromDoubles(v, n, e),
            ["M"] = NpyArray.FromDoubles(m, n, e),
            ["C"] = NpyArray.FromInt64(scores.Labels.Select(l => (long)l).ToArray()),
            ["index"] = NpyArray.FromInt64(scores.SourceIndices.Select(l => (long)l).ToArray()),
            ["epochs"] = NpyArray.FromInt64(scores.EvaluationEpochs.Select(l => (long)l).ToArray()),
            ["n_in"] = NpyArray.FromInt64(scores.CountIn.Select(l => (long)l).ToArray()),
            ["n_out"] = NpyArray.FromInt64(scores.CountOut.Select(l => (long)l).ToArray()),
            ["M_lo"] = NpyArray.FromDoubles(Last(x => x.Lower), n),
            ["M_hi"] = NpyArray.FromDoubles(Last(x => x.Upper), n),
            ["p"] = NpyArray.FromDoubles(Last(x => x.P), n),
            ["q"] = NpyArray.FromDoubles(Last(x => x.Q), n),
            ["null_bias"] = NpyArray.FromDoubles(Last(x => x.NullBias), n),
        });
    }

    /// <summary>The estimator and the run-level statistics (non-finite numbers written as null).</summary>
    public static string StatisticsJson(Scores scores)
    {
        object? N(double v) => double.IsFinite(v) ? v : null;
        var i = scores.Inference;
        var document = new Dictionary<string, object?>
        {
            ["estimator"] = scores.Estimator,
            ["epoch"] = scores.EvaluationEpochs[^1],
            ["examples"] = scores.Count,
        };
        if (i is null) document["statistics"] = null;
        else
            document["statistics"] = new Dictionary<string, object?>
            {
                ["complete_repeats"] = i.RepeatsUsed,
                ["fdr"] = i.Fdr,
                ["memorized_at_fdr"] = i.Discoveries,
                ["can_reach_significance"] = i.CanReachSignificance,
                ["single_example_can_reach_significance"] = i.SingleExampleCanReachSignificance,
                ["min_attainable_p"] = N(i.MinAttainableP),
                ["exact_permutations"] = i.ExactPermutations,
                ["permutations"] = i.Permutations,
                ["max_permutations"] = i.MaxPermutations,
                ["interval_level"] = N(i.IntervalLevel),
                ["interval_estimand"] = "population M_i = log E_in p - log E_out p under the shift model (in-model values = out-model values + M_i in distribution)",
                ["predicted_seed_to_seed_spearman"] = N(i.PredictedReliability),
                ["pearson_reliability"] = N(i.PearsonReliability),
                ["ranking_mostly_noise"] = i.RankingMostlyNoise,
            };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
    }
}
