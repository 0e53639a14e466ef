using System.Text.Json.Nodes;
using MemScore.Tests.Reporting.Sweeps;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

[Collection(TinySweepCollection.Name)]
public class SweepCommandTests(TinySweep sweep)
{
    [Fact]
    public void Each_point_is_a_run_a_full_run_and_a_report_and_a_rerun_skips_finished_points()
    {
        Assert.True(sweep.First.ExitCode == 0, sweep.First.StdErr);
        var manifest = JsonNode.Parse(File.ReadAllText(sweep["sweep.json"]))!;
        Assert.Equal(2, manifest["points"]!.AsArray().Count);
        foreach (string point in new[] { "weight-decay-0", "weight-decay-1" })
        {
            Assert.True(File.Exists(sweep[$"points/{point}/run/scores.csv"]), point);
            Assert.True(File.Exists(sweep[$"points/{point}/full/full.npz"]), point);
            Assert.True(File.Exists(sweep[$"points/{point}/run/report/index.html"]), point);
        }
        // The lever reached the config: only the second point records a weight decay.
        Assert.Null(JsonNode.Parse(File.ReadAllText(sweep["points/weight-decay-0/run/run.json"]))!["config"]!["weight-decay"]);
        Assert.Equal(1.0, JsonNode.Parse(File.ReadAllText(sweep["points/weight-decay-1/full/full.json"]))!["config"]!["weight-decay"]!.GetValue<double>());
        string scores = File.ReadAllText(sweep["points/weight-decay-1/run/scores.csv"]);

        var again = sweep.Run();
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("[1/2] weight-decay-0: finished earlier, skipped", again.StdErr);
        Assert.Contains("[2/2] weight-decay-1: finished earlier, skipped", again.StdErr);
        Assert.Equal(scores, File.ReadAllText(sweep["points/weight-decay-1/run/scores.csv"]));
        Assert.Contains("Sweep report:", again.StdOut);
    }

    [Theory]
    [InlineData("weight-decay=0,-1", "weight-decay")]
    [InlineData("dropuot=0,1", "vary = dropuot: not a flag")]
    public void A_bad_lever_is_refused_before_anything_is_written(string vary, string expected)
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run("sweep", "--out", dir["s"], "--limit", "40", "--vary", vary);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.False(Directory.Exists(dir["s"]));
    }

    [Fact]
    public void A_sweep_without_out_or_with_another_sweeps_levers_is_refused()
    {
        var missing = CliProcess.Run("sweep", "--vary", "epochs=1,2");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("a sweep needs --out SWEEPDIR", missing.StdErr);
        var other = CliProcess.Run(["sweep", "--out", sweep.Root, .. TinySweep.Flags[..^1], "weight-decay=0,3"]);
        Assert.Equal(4, other.ExitCode);
        Assert.Contains("records the levers weight-decay=0,1", other.StdErr);
    }
}
