using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

[Trait("Tier", "EndToEnd")]
public class WorkersFlagTests
{
    static readonly string[] Tiny = ["--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4"];

    [Fact]
    public void Run_with_only_out_resumes_a_planned_folder_with_its_recorded_config()
    {
        using var dir = new TempDirectory();
        var plan = CliProcess.Run(["plan", .. Tiny, "--threads", "2", "--out", dir["run"]]);
        Assert.True(plan.ExitCode == 0, plan.StdErr);
        var run = CliProcess.Run(["run", "--out", dir["run"], "--top", "0"]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("resuming with the config recorded in", run.StdErr);
        Assert.Contains("1 worker x 2 threads", run.StdErr);
        Assert.Contains("2 tasks trained", run.StdOut);
    }

    [Fact]
    public void A_different_thread_count_is_refused_and_one_left_unset_comes_from_the_folder()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, CliProcess.Run(["plan", .. Tiny, "--threads", "2", "--out", dir["run"]]).ExitCode);
        var changed = CliProcess.Run(["run", .. Tiny, "--threads", "1", "--out", dir["run"]]);
        Assert.Equal(4, changed.ExitCode);
        Assert.Contains("threads: 2 -> 1", changed.StdErr);
        Assert.Contains("add --threads 2 to resume", changed.StdErr);
        // Fields the flags leave unset come from the folder's run.json, not from today's defaults.
        var resumed = CliProcess.Run(["run", .. Tiny, "--out", dir["run"], "--top", "0"]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains("resuming with the config recorded in", resumed.StdErr);
        Assert.Contains("1 worker x 2 threads", resumed.StdErr);
    }

    [Theory]
    [InlineData("run", "0", "workers = 0: expected an integer >= 1")]
    [InlineData("plan", "2", "--workers does not apply to `memscore plan`")]
    [InlineData("full", "2", "--workers does not apply to `memscore full`")]
    public void Workers_flag_is_checked_where_it_means_something(string command, string workers, string message)
    {
        using var dir = new TempDirectory();
        string[] config = command == "full" ? ["--limit", "200", "--epochs", "1", "--is-samples", "4"] : Tiny;
        var result = CliProcess.Run([command, .. config, "--workers", workers, "--out", dir["out"]]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StdErr);
        Assert.False(Directory.Exists(dir["out"]));
    }
}
