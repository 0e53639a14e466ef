using System.IO.Compression;
using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

public class IdxFileTests
{
    static IdxFile Sample() => new([3, 2, 4], Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray());

    [Fact]
    public void Round_trips_raw_and_gzip()
    {
        using var dir = new TempDirectory();
        var original = Sample();
        original.Write(dir["raw"]);
        using (var gz = new GZipStream(File.Create(dir["packed.gz"]), CompressionLevel.Optimal))
            original.WriteTo(gz);
        foreach (var path in new[] { dir["raw"], dir["packed.gz"] })
        {
            var read = IdxFile.Read(path);
            Assert.Equal(original.Dimensions, read.Dimensions);
            Assert.Equal(original.Values, read.Values);
        }
    }

    [Fact]
    public void Header_bytes_follow_the_format()
    {
        using var stream = new MemoryStream();
        Sample().WriteTo(stream);
        byte[] bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4 }, bytes[..16]);
        Assert.Equal(16 + 24, bytes.Length);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "empty", [], "truncated IDX header" },
        { "bad magic", [1, 0, 8, 1, 0, 0, 0, 1, 5], "bad IDX magic" },
        { "float type", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "type code 0x0D" },
        { "zero dims", [0, 0, 8, 0], "dimension count 0" },
        { "too many dims", [0, 0, 8, 9], "dimension count 9" },
        { "truncated sizes", [0, 0, 8, 2, 0, 0, 0, 3], "expected 8 size bytes" },
        { "truncated data", [0, 0, 8, 1, 0, 0, 0, 5, 1, 2], "header declares 5 values" },
        { "trailing data", [0, 0, 8, 1, 0, 0, 0, 1, 1, 2], "beyond the 1 values" },
        { "zero size", [0, 0, 8, 1, 0, 0, 0, 0], "has size 0" },
        { "absurd size", [0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1], "more than" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Rejects_malformed_files_with_a_message_naming_the_file(string name, byte[] content, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir[name.Replace(' ', '-')];
        File.WriteAllBytes(path, content);
        var error = Assert.Throws<InvalidInputException>(() => IdxFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Rejects_corrupt_gzip()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["x.gz"], [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var error = Assert.Throws<InvalidInputException>(() => IdxFile.Read(dir["x.gz"]));
        Assert.Contains(dir["x.gz"], error.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var error = Assert.Throws<InvalidInputException>(() => IdxFile.Read("/nonexistent/train-images-idx3-ubyte"));
        Assert.Contains("/nonexistent/train-images-idx3-ubyte: file not found", error.Message);
    }

    [Fact]
    public void Idx_provider_reads_images_with_labels_beside_them()
    {
        using var dir = new TempDirectory();
        new IdxFile([2, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4]).Write(dir["t10k-images-idx3-ubyte"]);
        new IdxFile([2], [7, 3]).Write(dir["t10k-labels-idx1-ubyte"]);
        using var data = new IdxDatasetProvider().Load(new DatasetRequest(dir.Path, dir.Path));
        Assert.Equal(2, data.Count);
        Assert.Equal([7, 3], data.Labels);
        Assert.Equal([2L, 1, 2, 2], data.Images.shape);
        Assert.Equal(1f, data.Images[0, 0, 0, 1].item<float>());
        Assert.Equal(0.2f, data.Images[0, 0, 1, 0].item<float>(), 6);
    }

    [Fact]
    public void Label_count_mismatch_is_an_error()
    {
        using var dir = new TempDirectory();
        new IdxFile([2, 2, 2], new byte[8]).Write(dir["a-images-idx3-ubyte"]);
        new IdxFile([3], [1, 2, 3]).Write(dir["a-labels-idx1-ubyte"]);
        var error = Assert.Throws<InvalidInputException>(() => new IdxDatasetProvider().Load(new DatasetRequest(dir.Path, dir.Path)));
        Assert.Contains("expected 2 labels", error.Message);
    }

    [Fact]
    public void Fashion_mnist_reads_the_debian_package_or_says_how_to_install_it()
    {
        var provider = new FashionMnistDatasetProvider();
        if (Directory.Exists(FashionMnistDatasetProvider.DebianFolder))
        {
            using var data = provider.Load(new DatasetRequest(null, Path.GetTempPath()));
            Assert.Equal(60000, data.Count);
            Assert.Equal([60000L, 1, 28, 28], data.Images.shape);
        }
        else
        {
            var error = Assert.Throws<InvalidInputException>(() => provider.Load(new DatasetRequest(null, Path.GetTempPath())));
            Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        }
    }
}
