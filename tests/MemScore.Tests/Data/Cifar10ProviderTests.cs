using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

public class Cifar10ProviderTests
{
    /// <summary>One record per label in the real layout: label byte, then R, G, B planes of 1024 bytes each.</summary>
    static byte[] Records(params byte[] labels) =>
        labels.SelectMany(l => new[] { l }.Concat(Enumerable.Repeat((byte)(10 + l), 1024)).Concat(Enumerable.Repeat((byte)(100 + l), 1024)).Concat(Enumerable.Repeat((byte)(200 + l), 1024))).ToArray();

    static void WriteBatches(string folder)
    {
        Directory.CreateDirectory(folder);
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(folder, $"data_batch_{b}.bin"), Records((byte)(b - 1), (byte)(b + 4)));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Records(3));
    }

    /// <summary>A tar.gz shaped like cifar-10-binary.tar.gz (plus extra entries the extractor must skip).</summary>
    static byte[] Archive(string source, params string[] skip)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "cifar-10-batches-bin/"));
            foreach (string file in Directory.GetFiles(source).Order(StringComparer.Ordinal))
                if (!skip.Contains(Path.GetFileName(file))) tar.WriteEntry(file, "cifar-10-batches-bin/" + Path.GetFileName(file));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "elsewhere/data_batch_1.bin") { DataStream = new MemoryStream([1, 2, 3]) });
        }
        return packed.ToArray();
    }

    [Fact]
    public void Train_and_test_splits_from_the_batches_folder_or_its_parent()
    {
        using var dir = new TempDirectory();
        WriteBatches(dir["data/cifar-10-batches-bin"]);
        var provider = new Cifar10DatasetProvider();
        foreach (string dataDir in new[] { dir["data"], dir["data/cifar-10-batches-bin"] })
        {
            using var train = provider.Load(new DatasetRequest(dataDir, dir["cache"]));
            Assert.Equal([10L, 3, 32, 32], train.Images.shape);
            Assert.Equal([0, 5, 1, 6, 2, 7, 3, 8, 4, 9], train.Labels);
            Assert.Equal(Enumerable.Range(0, 10), train.SourceIndices);
            // Record 2 has label 1: R = 11, G = 101, B = 201.
            Assert.Equal(11f / 255, train.Images[2, 0, 31, 0].item<float>(), 6);
            Assert.Equal(201f / 255, train.Images[2, 2, 0, 31].item<float>(), 6);
        }
        using var test = provider.LoadSplit(new DatasetRequest(dir["data"], dir["cache"]), "test");
        Assert.Equal([3], test.Labels);
        Assert.Equal(103f / 255, test.Images[0, 1, 5, 5].item<float>(), 6);
    }

    [Fact]
    public void Folder_without_batches_and_truncated_batch_are_named()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["empty"]);
        Assert.Contains("holds neither data_batch_1.bin", Assert.Throws<InvalidInputException>(() => new Cifar10DatasetProvider().Load(new DatasetRequest(dir["empty"], dir.Path))).Message);
        WriteBatches(dir["b"]);
        File.WriteAllBytes(dir["b/data_batch_3.bin"], Records(1)[..3000]);
        var error = Assert.Throws<InvalidInputException>(() => new Cifar10DatasetProvider().Load(new DatasetRequest(dir["b"], dir.Path)));
        Assert.Contains($"{dir["b/data_batch_3.bin"]}: size 3000 bytes", error.Message);
        Assert.Contains("needs --data-dir", Assert.Throws<InvalidConfigurationException>(() => new Cifar10DatasetProvider().Load(new DatasetRequest(null, dir["cache"]))).Message);
    }

    [Fact]
    public void Download_verifies_extracts_into_the_cache_and_is_not_repeated()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();
        WriteBatches(dir["src"]);
        var archive = Archive(dir["src"]);
        server.Replies["/cifar10/cifar-10-binary.tar.gz"] = new HttpReply(200, archive);
        var source = DownloadSource.Cifar10 with { Files = [new RemoteFile("cifar-10-binary.tar.gz", archive.Length, Convert.ToHexString(SHA256.HashData(archive)))] };
        var provider = new Cifar10DatasetProvider(new DatasetDownloader(server.BaseUrl), source);
        using (var train = provider.Load(new DatasetRequest(null, dir["cache"], Download: true))) Assert.Equal(10, train.Count);
        Assert.Equal(["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"],
            Directory.GetFiles(dir["cache/cifar10/cifar-10-batches-bin"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(dir["cache/cifar10/cifar-10-binary.tar.gz"]), "archive deleted after extraction");
        using (var test = provider.LoadSplit(new DatasetRequest(null, dir["cache"], Download: true), "test")) Assert.Equal(1, test.Count);
        Assert.Single(server.Requested);
    }

    [Fact]
    public void Archive_lacking_a_batch_or_corrupt_leaves_no_folder()
    {
        using var dir = new TempDirectory();
        WriteBatches(dir["src"]);
        File.WriteAllBytes(dir["partial.tar.gz"], Archive(dir["src"], skip: "data_batch_4.bin"));
        var error = Assert.Throws<InvalidInputException>(() => Cifar10Reader.ExtractArchive(dir["partial.tar.gz"], dir["out/cifar-10-batches-bin"]));
        Assert.Contains("archive lacks cifar-10-batches-bin/data_batch_4.bin", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir["out"]));

        var whole = Archive(dir["src"]);
        File.WriteAllBytes(dir["cut.tar.gz"], whole[..(whole.Length / 2)]);
        Assert.Contains(dir["cut.tar.gz"], Assert.Throws<InvalidInputException>(() => Cifar10Reader.ExtractArchive(dir["cut.tar.gz"], dir["out/cifar-10-batches-bin"])).Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir["out"]));
    }
}
