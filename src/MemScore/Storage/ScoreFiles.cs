using System.Globalization;
using System.Text;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>Writes <see cref="Scores"/> as CSV (round-trip float formatting) and as summary.npz.</summary>
public static class ScoreFiles
{
    const string Header = "index,label,U,V,M,n_in,n_out";

    public static void WriteAll(RunFolder folder, Scores scores)
    {
        AtomicFile.WriteAllText(folder.ScoresCsvPath, LastEpochCsv(scores));
        AtomicFile.WriteAllText(folder.ScoresByEpochCsvPath, AllEpochsCsv(scores));
        WriteSummary(folder.SummaryPath, scores);
    }

    /// <summary>Round-trip text; an empty field where an example has no value (partial aggregation).</summary>
    static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    static void Row(StringBuilder sb, Scores s, int i, int column)
    {
        sb.Append(s.SourceIndices[i]).Append(',').Append(s.Labels[i]).Append(',')
          .Append(F(s.U[i, column])).Append(',').Append(F(s.V[i, column])).Append(',').Append(F(s.M(i, column))).Append(',')
          .Append(s.CountIn[i]).Append(',').Append(s.CountOut[i]).Append('\n');
    }

    public static string LastEpochCsv(Scores scores)
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (int i = 0; i < scores.Count; i++) Row(sb, scores, i, scores.LastEpochColumn);
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
        });
    }
}
