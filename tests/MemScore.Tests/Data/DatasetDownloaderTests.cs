using System.IO.Compression;
using System.Security.Cryptography;
using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

/// <summary>Downloads against a local HTTP server on 127.0.0.1; no outside traffic.</summary>
public class DatasetDownloaderTests
{
    static readonly byte[] Payload = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();

    static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    static DownloadSource Source(params (string Name, byte[] Content)[] files) =>
        new("fixture", "https://unused.invalid/", files.Select(f => new RemoteFile(f.Name, f.Content.Length, Sha256(f.Content))).ToArray());

    /// <summary>No file and no temporary file may remain in the folder after a failed download.</summary>
    static void AssertNothingLeft(string folder) =>
        Assert.True(!Directory.Exists(folder) || Directory.GetFiles(folder).Length == 0, string.Join(", ", Directory.Exists(folder) ? Directory.GetFiles(folder) : []));

    [Fact]
    public void Official_catalog_lists_every_file_with_a_size_and_a_sha256()
    {
        Assert.Equal(["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
            DownloadSource.Mnist.Files.Select(f => f.FileName));
        Assert.Equal(DownloadSource.Mnist.Files.Select(f => f.FileName), DownloadSource.FashionMnist.Files.Select(f => f.FileName));
        Assert.Equal("cifar-10-binary.tar.gz", Assert.Single(DownloadSource.Cifar10.Files).FileName);
        // The published CIFAR-10 binary archive is 170,052,171 bytes; MNIST's training images 9,912,422.
        Assert.Equal(170_052_171, DownloadSource.Cifar10.Files[0].Size);
        Assert.Equal(9_912_422, DownloadSource.Mnist.Files[0].Size);
        foreach (var file in new[] { DownloadSource.Mnist, DownloadSource.FashionMnist, DownloadSource.Cifar10 }.SelectMany(s => s.Files))
            Assert.Matches("^[0-9a-f]{64}$", file.Sha256);
    }

    [Fact]
    public void Mirror_replaces_the_base_url_with_mirror_slash_source_name()
    {
        var file = DownloadSource.Mnist.Files[0];
        Assert.Equal("https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz", new DatasetDownloader().UrlOf(DownloadSource.Mnist, file).ToString());
        Assert.Equal("http://127.0.0.1:9/m/mnist/train-images-idx3-ubyte.gz", new DatasetDownloader("http://127.0.0.1:9/m/").UrlOf(DownloadSource.Mnist, file).ToString());
        Assert.Throws<InvalidConfigurationException>(() => new DatasetDownloader("not a url"));
    }

    [Fact]
    public void Verified_file_is_placed_and_not_fetched_again()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        server.Replies["/fixture/a.bin"] = new HttpReply(200, Payload);
        var downloader = new DatasetDownloader(server.BaseUrl);
        var source = Source(("a.bin", Payload));
        downloader.EnsureFiles(source, dir["cache"]);
        Assert.Equal(Payload, File.ReadAllBytes(dir["cache/a.bin"]));
        downloader.EnsureFiles(source, dir["cache"]);
        Assert.Single(server.Requested);
        Assert.Single(Directory.GetFiles(dir["cache"]));   // no temporary files left
    }

    [Fact]
    public void Checksum_mismatch_names_url_expected_and_actual_hash_and_keeps_nothing()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        var tampered = Payload.ToArray();
        tampered[100] ^= 1;
        server.Replies["/fixture/a.bin"] = new HttpReply(200, tampered);
        var error = Assert.Throws<MemScoreException>(() => new DatasetDownloader(server.BaseUrl).EnsureFiles(Source(("a.bin", Payload)), dir["cache"]));
        Assert.Equal(ErrorKind.External, error.Kind);
        Assert.Contains($"{server.BaseUrl}/fixture/a.bin", error.Message);
        Assert.Contains($"expected {Sha256(Payload)}, got {Sha256(tampered)}", error.Message);
        AssertNothingLeft(dir["cache"]);
    }

    [Fact]
    public void Connection_cut_before_the_declared_length_fails_and_keeps_nothing()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        server.Replies["/fixture/a.bin"] = new HttpReply(200, Payload[..1000], DeclaredLength: Payload.Length);
        var error = Assert.Throws<MemScoreException>(() => new DatasetDownloader(server.BaseUrl).EnsureFiles(Source(("a.bin", Payload)), dir["cache"]));
        Assert.Contains("/fixture/a.bin: download failed after", error.Message);
        Assert.Contains($"of {Payload.Length} bytes", error.Message);
        AssertNothingLeft(dir["cache"]);
    }

    [Fact]
    public void Short_body_without_length_is_refused_by_size()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        server.Replies["/fixture/a.bin"] = new HttpReply(200, Payload[..1000], DeclaredLength: -1);
        var error = Assert.Throws<MemScoreException>(() => new DatasetDownloader(server.BaseUrl).EnsureFiles(Source(("a.bin", Payload)), dir["cache"]));
        Assert.Contains($"received 1000 bytes, expected {Payload.Length}", error.Message);
        AssertNothingLeft(dir["cache"]);
    }

    [Fact]
    public void Longer_body_than_published_is_cut_off()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        server.Replies["/fixture/a.bin"] = new HttpReply(200, [.. Payload, .. Payload]);
        var error = Assert.Throws<MemScoreException>(() => new DatasetDownloader(server.BaseUrl).EnsureFiles(Source(("a.bin", Payload)), dir["cache"]));
        Assert.Contains($"more than the {Payload.Length} bytes", error.Message);
        AssertNothingLeft(dir["cache"]);
    }

    [Fact]
    public void Http_error_status_is_reported_with_the_url()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        var error = Assert.Throws<MemScoreException>(() => new DatasetDownloader(server.BaseUrl).EnsureFiles(Source(("a.bin", Payload)), dir["cache"]));
        Assert.Contains($"{server.BaseUrl}/fixture/a.bin: HTTP 404", error.Message);
        AssertNothingLeft(dir["cache"]);
    }

    [Fact]
    public void Stalled_transfer_fails_after_the_idle_limit()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        server.Replies["/fixture/a.bin"] = new HttpReply(200, Payload[..10], DeclaredLength: Payload.Length, Stall: true);
        var downloader = new DatasetDownloader(server.BaseUrl, idleLimit: TimeSpan.FromMilliseconds(300));
        var error = Assert.Throws<MemScoreException>(() => downloader.EnsureFiles(Source(("a.bin", Payload)), dir["cache"]));
        Assert.Contains("no data arrived in time", error.Message);
        AssertNothingLeft(dir["cache"]);
    }

    static byte[] GzipIdx(IdxFile idx)
    {
        using var raw = new MemoryStream();
        idx.WriteTo(raw);
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw.ToArray());
        return packed.ToArray();
    }

    [Fact]
    public void Mnist_provider_downloads_train_and_test_into_the_cache()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        var files = new (string Name, byte[] Content)[]
        {
            ("train-images-idx3-ubyte.gz", GzipIdx(new IdxFile([3, 2, 2], [0, 255, 0, 0, 51, 0, 0, 0, 0, 0, 0, 102]))),
            ("train-labels-idx1-ubyte.gz", GzipIdx(new IdxFile([3], [4, 1, 9]))),
            ("t10k-images-idx3-ubyte.gz", GzipIdx(new IdxFile([1, 2, 2], [255, 255, 255, 255]))),
            ("t10k-labels-idx1-ubyte.gz", GzipIdx(new IdxFile([1], [7]))),
        };
        foreach (var (name, content) in files) server.Replies[$"/mnist/{name}"] = new HttpReply(200, content);
        var source = Source(files) with { Name = "mnist" };
        var provider = new MnistDatasetProvider(source, new DatasetDownloader(server.BaseUrl));
        using var train = provider.Load(new DatasetRequest(null, dir["cache"], Download: true));
        using var test = provider.LoadSplit(new DatasetRequest(null, dir["cache"]), "test");   // cached: no --download needed
        Assert.Equal([4, 1, 9], train.Labels);
        Assert.Equal(0.2f, train.Images[1, 0, 0, 0].item<float>(), 6);
        Assert.Equal([7], test.Labels);
        Assert.Equal(4, server.Requested.Count);
        Assert.True(File.Exists(dir["cache/mnist/t10k-images-idx3-ubyte.gz"]));
    }

    [Fact]
    public void Mnist_without_data_dir_or_download_says_how_to_get_it()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<InvalidConfigurationException>(() => new MnistDatasetProvider().Load(new DatasetRequest(null, dir.Path)));
        Assert.Contains("--download", error.Message);
        var both = Assert.Throws<InvalidConfigurationException>(() => new MnistDatasetProvider().Load(new DatasetRequest(dir.Path, dir.Path, Download: true)));
        Assert.Contains("give one of them", both.Message);
    }
}
