using System.Globalization;
using System.Text.Json;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>--estimator, the per-example columns and the end-of-run summary, through the real CLI.</summary>
[Trait("Tier", "EndToEnd")]
public class EstimatorAndSummaryTests
{
    static readonly string[] Small = ["run", "--limit", "300", "--folds", "5", "--repeats", "2", "--epochs", "1", "--is-samples", "4", "--threads", "2"];

    [Fact]
    public void Balanced_estimator_changes_only_the_aggregation_and_the_summary_states_what_the_design_allows()
    {
        using var dir = new TempDirectory();
        var paper = CliProcess.Run([.. Small, "--out", dir["paper"]]);
        Assert.True(paper.ExitCode == 0, paper.StdErr);
        // The console leads with intervals and q-values, the count at FDR 10% (or what the design cannot do) and reliability.
        Assert.Contains("92% interval", paper.StdOut);   // K = 5, L = 2: 25 relabellings, one per tail
        Assert.Contains("null bias", paper.StdOut);
        Assert.Contains("examples memorized at FDR 10%", paper.StdOut);
        Assert.Contains("cannot declare a single example on its own", paper.StdOut);
        Assert.Contains("predicted to agree", paper.StdOut);

        var balanced = CliProcess.Run([.. Small, "--estimator", "balanced", "--out", dir["balanced"]]);
        Assert.True(balanced.ExitCode == 0, balanced.StdErr);
        Assert.DoesNotContain("null bias", balanced.StdOut);
        // Same training: identical task results (log p of every model; the files differ only in their timing) and config hash.
        foreach (string task in Directory.GetFiles(dir["paper/tasks"]))
        {
            var a = MemScore.Storage.TaskResultFile.Read(task);
            var b = MemScore.Storage.TaskResultFile.Read(Path.Combine(dir["balanced/tasks"], Path.GetFileName(task)));
            Assert.Equal(a.ConfigHash, b.ConfigHash);
            Assert.Equal(a.LogLikelihoods, b.LogLikelihoods);
        }
        Assert.Equal(ConfigHash(dir["paper"]), ConfigHash(dir["balanced"]));
        Assert.Equal("paper", Estimator(dir["paper"]));
        Assert.Equal("balanced", Estimator(dir["balanced"]));
        var paperRows = File.ReadAllLines(dir["paper/scores.csv"]);
        var balancedRows = File.ReadAllLines(dir["balanced/scores.csv"]);
        Assert.Equal(paperRows[0], balancedRows[0]);
        Assert.NotEqual(paperRows[1].Split(',')[2], balancedRows[1].Split(',')[2]);            // U differs
        Assert.Equal(paperRows[1].Split(',')[3], balancedRows[1].Split(',')[3]);               // V is the same
        Assert.Equal(paperRows[1].Split(',')[7..], balancedRows[1].Split(',')[7..]);           // intervals and p, q do not depend on the estimator
        // The paper's M exceeds the balanced M on average (count asymmetry).
        double Mean(string[] rows) => rows.Skip(1).Average(r => double.Parse(r.Split(',')[4], CultureInfo.InvariantCulture));
        Assert.True(Mean(paperRows) > Mean(balancedRows));

        // aggregate switches the estimator of an existing run without touching its tasks.
        var aggregate = CliProcess.Run("aggregate", dir["paper"], "--estimator", "balanced");
        Assert.True(aggregate.ExitCode == 0, aggregate.StdErr);
        Assert.Equal(balancedRows, File.ReadAllLines(dir["paper/scores.csv"]));
        Assert.Equal("balanced", Estimator(dir["paper"]));

        var bad = CliProcess.Run("aggregate", dir["paper"], "--estimator", "median");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("estimator = median: expected paper or balanced", bad.StdErr);
    }

    [Fact]
    public void Scores_csv_carries_intervals_p_and_q_that_agree_with_scores_json()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, CliProcess.Run([.. Small, "--out", dir["run"]]).ExitCode);
        var rows = File.ReadAllLines(dir["run/scores.csv"]).Skip(1).Select(r => r.Split(',')).ToArray();
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        Assert.All(rows, f =>
        {
            Assert.True(D(f[7]) <= D(f[8]), string.Join(",", f));
            Assert.InRange(D(f[9]), 1 / 25.0, 1);     // exact p over 25 relabellings
            Assert.InRange(D(f[10]), D(f[9]), 1);      // q >= p
        });
        using var json = JsonDocument.Parse(File.ReadAllText(dir["run/scores.json"]));
        var statistics = json.RootElement.GetProperty("statistics");
        Assert.Equal(0.04, statistics.GetProperty("min_attainable_p").GetDouble(), 12);
        Assert.Equal(0.92, statistics.GetProperty("interval_level").GetDouble(), 12);
        Assert.Equal(rows.Count(f => D(f[10]) <= 0.1), statistics.GetProperty("memorized_at_fdr").GetInt32());
        Assert.False(statistics.GetProperty("single_example_can_reach_significance").GetBoolean());
    }

    static string ConfigHash(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement.GetProperty("config_hash").GetString()!;
    static string Estimator(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "scores.json"))).RootElement.GetProperty("estimator").GetString()!;
}
