using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>Issue 18 item 11, through the real CLI: a download mirror must be an http(s) URL; anything else is refused naming the variable.</summary>
[Trait("Tier", "EndToEnd")]
public class HostileInputRound2DownloadTests
{
    static readonly string[] Tiny = ["run", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "1"];

    // Item 11: only http(s) mirrors.
    [Theory]
    [InlineData("file:///etc")]
    [InlineData("ftp://mirror.example/datasets")]
    [InlineData("gopher://mirror.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("http:///no-host")]
    public void Download_mirror_other_than_http_is_refused_naming_the_variable(string mirror)
    {
        using var dir = new TempDirectory();
        var r = CliProcess.Run(new Dictionary<string, string> { ["MEMSCORE_DOWNLOAD_MIRROR"] = mirror },
            [.. Tiny, "--dataset", "mnist", "--download", "--cache-dir", dir["cache"], "--out", dir["run"]]);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.StdErr}");
        string line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains($"MEMSCORE_DOWNLOAD_MIRROR = {mirror}", line);
        Assert.False(File.Exists(dir["run/run.json"]));
    }
}
