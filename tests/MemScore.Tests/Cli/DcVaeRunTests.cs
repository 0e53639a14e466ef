using System.Globalization;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>A DC-VAE family through the real CLI on the embedded digits (padded to 32x32, binarized).</summary>
[Trait("Tier", "EndToEnd")]
public class DcVaeRunTests
{
    [Fact]
    public void Bernoulli_dc_vae_run_gives_finite_scores()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run("run", "--model", "bernoulli-dc-vae", "--limit", "200", "--folds", "2", "--repeats", "1",
            "--epochs", "2", "--is-samples", "4", "--threads", "2", "--out", dir["run"]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("2 tasks trained", run.StdOut);
        Assert.Contains("bernoulli-dc-vae", File.ReadAllText(dir["run/run.json"]));
        var lines = File.ReadAllLines(dir["run/scores.csv"]);
        Assert.Equal(201, lines.Length);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            for (int c = 2; c <= 4; c++)
                Assert.True(double.IsFinite(double.Parse(fields[c], CultureInfo.InvariantCulture)), line);
        }
    }
}
