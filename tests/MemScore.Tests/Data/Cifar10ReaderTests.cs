using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

public class Cifar10ReaderTests
{
    /// <summary>Records in the real on-disk layout: label byte, then R, G, B planes of 1024 bytes.</summary>
    static byte[] Records(params (byte Label, byte R, byte G, byte B)[] images) =>
        images.SelectMany(i => new[] { i.Label }.Concat(Enumerable.Repeat(i.R, 1024)).Concat(Enumerable.Repeat(i.G, 1024)).Concat(Enumerable.Repeat(i.B, 1024))).ToArray();

    [Fact]
    public void Reads_labels_and_channel_major_planes()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["b.bin"], Records((3, 10, 20, 30), (9, 200, 100, 0)));
        var batch = Cifar10Reader.ReadFile(dir["b.bin"]);
        Assert.Equal([3, 9], batch.Labels.Select(l => (int)l));
        Assert.Equal(2 * 3072, batch.Pixels.Length);
        Assert.Equal(10, batch.Pixels[0]);
        Assert.Equal(20, batch.Pixels[1024]);
        Assert.Equal(30, batch.Pixels[2047 + 1]);
        Assert.Equal(200, batch.Pixels[3072]);
        Assert.Equal(0, batch.Pixels[3072 + 2048 + 5]);
    }

    [Fact]
    public void Training_set_concatenates_the_five_batches_in_order()
    {
        using var dir = new TempDirectory();
        for (int b = 0; b < 5; b++) File.WriteAllBytes(dir[$"data_batch_{b + 1}.bin"], Records(((byte)b, (byte)b, 0, 0), ((byte)(b + 5), 0, 0, 0)));
        var train = Cifar10Reader.ReadTraining(dir.Path);
        Assert.Equal([0, 5, 1, 6, 2, 7, 3, 8, 4, 9], train.Labels.Select(l => (int)l));
        Assert.Equal(4, train.Pixels[8 * 3072]);
    }

    [Theory]
    [InlineData(0, "is not a whole number")]
    [InlineData(3072, "is not a whole number")]
    [InlineData(3074, "is not a whole number")]
    public void Wrong_lengths_are_refused(int length, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["x.bin"], new byte[length]);
        var error = Assert.Throws<InvalidInputException>(() => Cifar10Reader.ReadFile(dir["x.bin"]));
        Assert.Contains(dir["x.bin"], error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Bad_label_and_missing_batch_are_named()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["x.bin"], Records((1, 0, 0, 0), (12, 0, 0, 0)));
        Assert.Contains("record 1 (offset 3073) has label 12", Assert.Throws<InvalidInputException>(() => Cifar10Reader.ReadFile(dir["x.bin"])).Message);
        File.WriteAllBytes(dir["data_batch_1.bin"], Records((1, 0, 0, 0)));
        Assert.Contains("data_batch_2.bin: file not found", Assert.Throws<InvalidInputException>(() => Cifar10Reader.ReadTraining(dir.Path)).Message);
    }
}
