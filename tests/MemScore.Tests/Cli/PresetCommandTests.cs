using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

[Trait("Tier", "EndToEnd")]
public class PresetCommandTests
{
    [Fact]
    public void Budget_prints_counts_and_measured_times_and_trains_nothing()
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run("run", "--preset", "paper-mnist-lr4", "--dataset", "mnist-sample", "--limit", "500", "--threads", "2",
            "--budget", "--out", dir["run"]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        // 100 models; each trains on 450 of 500 examples for 100 epochs -> 100 x 450 x 100 = 4,500,000 passes;
        // 20 evaluation epochs x 500 x 100 = 1,000,000 evaluations, x S = 256.
        Assert.Contains("budget: 100 models (L=10 x K=10)", result.StdOut);
        Assert.Contains("4,500,000 example passes", result.StdOut);
        Assert.Contains("1,000,000 evaluations x S=256 = 256,000,000 samples", result.StdOut);
        Assert.Contains("images/s (measured here)", result.StdOut);
        Assert.False(Directory.Exists(dir["run"]));
    }

    [Fact]
    public void Preset_and_config_together_are_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["c.json"], "{}");
        var result = CliProcess.Run("run", "--preset", "paper-cifar10", "--config", dir["c.json"], "--out", dir["run"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("give one of them", result.StdErr);
        Assert.False(Directory.Exists(dir["run"]));
    }
}
