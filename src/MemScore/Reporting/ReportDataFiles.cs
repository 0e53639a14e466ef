using System.Globalization;
using System.Text;
using System.Text.Json;
using MemScore.Analysis;
using MemScore.Core;

namespace MemScore.Reporting;

/// <summary>The report's machine-readable numbers: numbers.json, per_class.csv, uncertainty.csv.</summary>
internal static class ReportDataFiles
{
    static string R(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "n/a";

    public static void Write(string directory, ReportNumbers n, SampleAnalysisSummary? samples)
    {
        ArgumentNullException.ThrowIfNull(n);
        AtomicFile.WriteAllText(Path.Combine(directory, "numbers.json"), NumbersJson(n, samples));
        var perClass = new StringBuilder("label,n,median_M,q95_M,share_above_q95\n");
        foreach (var c in n.PerClass) perClass.AppendJoin(',', c.Label, c.Count, R(c.Median), R(c.Q95), R(c.ShareAboveQ95)).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, "per_class.csv"), perClass.ToString());
        AtomicFile.WriteAllText(Path.Combine(directory, "uncertainty.csv"), UncertaintyCsv(n));
        if (n.Inference is not null) AtomicFile.WriteAllText(Path.Combine(directory, "memorized.csv"), MemorizedCsv(n));
    }

    /// <summary>The FDR list: every example declared memorized (q &lt;= FDR), most significant first.</summary>
    public static string MemorizedCsv(ReportNumbers n)
    {
        var inference = n.Inference ?? throw new ArgumentException("no per-example inference in this report", nameof(n));
        var csv = new StringBuilder("index,label,M,M_lo,M_hi,p,q\n");
        foreach (int i in inference.Memorized())
            csv.AppendJoin(',', n.Scores.SourceIndices[i], n.Scores.Labels[i], R(n.M[i]), R(inference.Lower[i]), R(inference.Upper[i]), R(inference.P[i]), R(inference.Q[i])).Append('\n');
        return csv.ToString();
    }

    public static string NumbersJson(ReportNumbers n, SampleAnalysisSummary? samples)
    {
        var inference = n.Inference;
        var numbers = new Dictionary<string, object>
        {
            ["tasks"] = n.Results.Count, ["examples"] = n.Count, ["epoch"] = n.Run.EvaluationEpochs[^1],
            ["m_quantiles"] = ReportNumbers.QuantileLevels.Select((q, k) => (q, k)).ToDictionary(p => p.q.ToString(CultureInfo.InvariantCulture), p => n.MQuantiles[p.k]),
            ["estimator"] = Estimators.Name(n.Estimator),
            ["predicted_seed_to_seed_spearman"] = inference?.PredictedReliability ?? double.NaN, ["pearson_reliability"] = inference?.PearsonReliability ?? double.NaN,
            ["memorized_at_fdr_0.1"] = inference?.Discoveries ?? -1, ["min_attainable_p"] = inference?.MinAttainableP ?? double.NaN,
            ["interval_level"] = inference?.IntervalLevel ?? double.NaN,
            ["spearman_rho_m"] = samples?.SpearmanRhoM ?? double.NaN, ["data_copying_ct"] = samples?.DataCopyingCT ?? double.NaN,
            ["sample_images"] = samples?.Generated ?? "", ["sample_references"] = samples?.References ?? "", ["rho_infinite"] = samples?.InfiniteRho ?? 0,
            ["mia_auc"] = n.RocAll.Auc, ["mia_tpr_at_1pct"] = n.RocAll.TprAtFpr(0.01), ["mia_tpr_at_0.1pct"] = n.RocAll.TprAtFpr(0.001),
            ["mia_auc_top5pct_split"] = n.RocTopSplit?.Roc.Auc ?? double.NaN,
        };
        if (n.Target is { } target)
        {
            numbers["target_reliability"] = target.Target.Reliability;
            numbers["target_reached"] = target.Reached;
            numbers["target_repeats_used"] = target.RepeatsUsed;
        }
        return JsonSerializer.Serialize(numbers, new JsonSerializerOptions
        {
            WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
    }

    static string UncertaintyCsv(ReportNumbers n)
    {
        var inference = n.Inference;
        var csv = new StringBuilder("index,label,M,M_lo,M_hi,p,q,null_bias,shift_estimate,M_balanced\n");
        for (int i = 0; i < n.Count; i++)
            csv.AppendJoin(',', n.Scores.SourceIndices[i], n.Scores.Labels[i], R(n.M[i]), R(inference?.Lower[i] ?? double.NaN), R(inference?.Upper[i] ?? double.NaN),
                R(inference?.P[i] ?? double.NaN), R(inference?.Q[i] ?? double.NaN), R(inference?.NullBias[i] ?? double.NaN),
                R(inference?.Shift[i] ?? double.NaN), R(n.BalancedM?[i] ?? double.NaN)).Append('\n');
        return csv.ToString();
    }
}
