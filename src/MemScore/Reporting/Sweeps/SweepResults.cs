using System.Globalization;
using MemScore.Analysis;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Storage;

namespace MemScore.Reporting.Sweeps;

/// <summary>
/// One point of the frontier: upper quantiles of M at the run's last evaluation epoch (scores.csv), the
/// number of examples memorized at FDR 10% (q &lt;= 0.1; null without intervals), and the full model's
/// mean held-out log p(x) at its last evaluation (nats, its standard error sd / sqrt(n), and bits/dim = -log p / (D ln 2)).
/// </summary>
/// <param name="Q99Interval">95% distribution-free interval of the population 0.99 quantile (<see cref="QuantileInterval"/>): the noise of
/// drawing these examples, not of training seeds.</param>
internal sealed record FrontierRow(SweepPoint Point, int Examples, double Q95, double Q99, double Q999, int? Significant,
    double HeldOutLogP, double HeldOutStandardError, double HeldOutBitsPerDim, double TrainLogP, int TestExamples)
{
    public (double Lower, double Upper) Q99Interval { get; init; } = (double.NaN, double.NaN);
    public (double Lower, double Upper) Q999Interval { get; init; } = (double.NaN, double.NaN);
}

internal static class SweepResults
{
    public const double FalseDiscoveryRate = 0.1;

    /// <summary>A point is finished when its run has scores and its full run has curves.</summary>
    public static bool IsFinished(SweepFolder folder, SweepPoint point)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return File.Exists(new RunFolder(folder.RunPath(point)).ScoresCsvPath) && File.Exists(new FullRunFolder(folder.FullPath(point)).ResultPath);
    }

    /// <summary>The frontier numbers of every finished point, in the sweep's order.</summary>
    public static IReadOnlyList<FrontierRow> Read(SweepFolder folder, IEnumerable<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return points.Where(p => IsFinished(folder, p)).Select(p => Row(folder, p)).ToArray();
    }

    static FrontierRow Row(SweepFolder folder, SweepPoint point)
    {
        var run = new RunFolder(folder.RunPath(point));
        var manifest = RunManifest.Read(run.ManifestPath);
        var (m, q) = ReadScores(run.ScoresCsvPath);
        var finite = m.Where(double.IsFinite).ToArray();
        var full = new FullRunFolder(folder.FullPath(point));
        var fullManifest = full.ReadManifest();
        var curves = full.ReadCurves(fullManifest);
        double[] held = curves.TestLogP[^1];
        double test = held.Average(), train = curves.TrainLogP[^1].Average();
        double standardError = held.Length < 2 ? double.NaN : Math.Sqrt(held.Sum(v => (v - test) * (v - test)) / (held.Length - 1) / held.Length);
        long dimensions = manifest.ImageShape.Aggregate(1L, (a, b) => a * b);
        int? significant = q.All(double.IsNaN) || !CanReachSignificance(run) ? null : q.Count(v => v <= FalseDiscoveryRate);
        double Quantile(double q) => finite.Length == 0 ? double.NaN : Statistics.Quantile(finite, q);
        return new FrontierRow(point, m.Length, Quantile(0.95), Quantile(0.99), Quantile(0.999),
            significant, test, standardError, Likelihood.LogitTransform.BitsPerDimension(test, dimensions), train, fullManifest.TestExamples)
        {
            Q99Interval = QuantileInterval.Of(finite, 0.99),
            Q999Interval = QuantileInterval.Of(finite, 0.999),
        };
    }

    /// <summary>False when scores.json says no q-value of this design can reach the FDR (then the count is n/a, not 0).</summary>
    static bool CanReachSignificance(RunFolder run)
    {
        string path = ScoreFiles.StatisticsPath(run);
        if (!File.Exists(path)) return true;
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))?["statistics"]?["can_reach_significance"];
            return node is null || node.GetValue<bool>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InvalidInputException(path, $"not valid JSON ({e.Message}); rerun the point's `memscore run` to rewrite it");
        }
    }

    /// <summary>The M and q columns of scores.csv (empty fields are NaN); a file without them is refused naming it.</summary>
    public static (double[] M, double[] Q) ReadScores(string path)
    {
        var lines = InputFile.ReadAllText(path, ErrorKind.RunFolder, "scores.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) throw new InvalidInputException(path, "empty; rerun the point's `memscore run` to rewrite it");
        var header = lines[0].Split(',');
        int mColumn = Array.IndexOf(header, "M"), qColumn = Array.IndexOf(header, "q");
        if (mColumn < 0 || qColumn < 0) throw new InvalidInputException(path, $"has no {(mColumn < 0 ? "'M'" : "'q'")} column; rerun the point's `memscore run` to rewrite it");
        var m = new double[lines.Length - 1];
        var q = new double[lines.Length - 1];
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length) throw new InvalidInputException(path, $"line {i + 1} has {cells.Length} fields, the header {header.Length}");
            m[i - 1] = Number(cells[mColumn], path, i);
            q[i - 1] = Number(cells[qColumn], path, i);
        }
        return (m, q);
    }

    static double Number(string cell, string path, int line) =>
        cell.Length == 0 ? double.NaN
        : double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
        : cell is "inf" or "Infinity" or "∞" ? double.PositiveInfinity
        : cell is "-inf" or "-Infinity" or "-∞" ? double.NegativeInfinity
        : throw new InvalidInputException(path, $"line {line + 1}: '{cell}' is not a number");
}
