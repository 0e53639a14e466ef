using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Data;

/// <summary>CelebA in its real layout: img_align_celeba/*.jpg of 178x218 and list_eval_partition.txt.</summary>
public class CelebATests
{
    // JPEG at quality 100 of a flat colour comes back within a few levels (YCbCr round trip and
    // quantisation); 3/255 covers it, far below the differences the tests look for.
    const float JpegTolerance = 3f / 255;

    static void WriteDataset(TempDirectory dir, params (string Name, int Partition, SKColor Colour)[] images)
    {
        foreach (var (name, _, colour) in images)
            TestImages.Solid(dir[$"celeba/img_align_celeba/{name}"], 178, 218, colour);
        File.WriteAllLines(dir["celeba/list_eval_partition.txt"], images.Select(i => $"{i.Name} {i.Partition}"));
    }

    static DatasetRequest Request(TempDirectory dir) => new(dir["celeba"], dir["cache"]);

    static float[] MeanPerChannel(ImageDataset data, int image) =>
        Enumerable.Range(0, 3).Select(c => data.Images[image, c].mean().item<float>()).ToArray();

    [Fact]
    public void Train_split_is_partition_zero_cropped_and_resized_to_32()
    {
        using var dir = new TempDirectory();
        WriteDataset(dir, ("000001.jpg", 0, new SKColor(200, 100, 50)), ("000002.jpg", 1, new SKColor(0, 0, 0)), ("000003.jpg", 0, new SKColor(20, 240, 130)));
        using var train = new CelebADatasetProvider().Load(Request(dir));
        Assert.Equal([2L, 3, 32, 32], train.Images.shape);
        Assert.Equal([0, 2], train.SourceIndices);
        Assert.Equal([0, 0], train.Labels);
        float[][] expected = [[200f / 255, 100f / 255, 50f / 255], [20f / 255, 240f / 255, 130f / 255]];
        for (int i = 0; i < 2; i++)
            for (int c = 0; c < 3; c++)
            {
                Assert.InRange(train.Images[i, c].min().item<float>(), expected[i][c] - JpegTolerance, expected[i][c] + JpegTolerance);
                Assert.InRange(train.Images[i, c].max().item<float>(), expected[i][c] - JpegTolerance, expected[i][c] + JpegTolerance);
            }
        using var valid = new CelebADatasetProvider().LoadSplit(Request(dir), "valid");
        Assert.Equal([1], valid.SourceIndices);
        Assert.True(valid.Images.max().item<float>() <= JpegTolerance);
    }

    [Fact]
    public void Only_the_crop_box_reaches_the_output()
    {
        using var dir = new TempDirectory();
        // White inside the box (15, 40)-(163, 188), black outside. A box shifted by even one pixel would
        // mix ~20% black into the border pixels (the filter spans ~9 input pixels); the allowance of
        // 12/255 covers JPEG ringing at the sharp edges at quality 100.
        TestImages.Write(dir["celeba/img_align_celeba/000001.jpg"], 178, 218,
            (x, y) => x >= 15 && x < 163 && y >= 40 && y < 188 ? SKColors.White : SKColors.Black);
        File.WriteAllText(dir["celeba/list_eval_partition.txt"], "000001.jpg 0\n");
        using var data = new CelebADatasetProvider().Load(Request(dir));
        Assert.True(data.Images.min().item<float>() >= 1 - 12f / 255, $"min {data.Images.min().item<float>() * 255}");
    }

    [Fact]
    public void Decoded_split_is_cached_and_the_key_follows_the_partition_file()
    {
        using var dir = new TempDirectory();
        WriteDataset(dir, ("000001.jpg", 0, new SKColor(90, 90, 90)));
        using (var first = new CelebADatasetProvider().Load(Request(dir))) Assert.Equal(1, first.Count);
        string cached = Assert.Single(Directory.GetFiles(dir["cache/celeba"]));
        Assert.StartsWith("train-32px-", Path.GetFileName(cached));
        // Replace the cache with all-white bytes: a load that reads it (instead of decoding) sees 1.0.
        new IdxFile([1, 3, 32, 32], Enumerable.Repeat((byte)255, 3 * 32 * 32).ToArray()).Write(cached);
        using (var fromCache = new CelebADatasetProvider().Load(Request(dir))) Assert.Equal(1f, fromCache.Images.min().item<float>());
        // A different partition file is a different key: decoded again, grey 90 comes back.
        File.WriteAllText(dir["celeba/list_eval_partition.txt"], "000001.jpg 0\r\n\r\n");
        using var again = new CelebADatasetProvider().Load(Request(dir));
        Assert.InRange(again.Images.max().item<float>(), 90f / 255 - JpegTolerance, 90f / 255 + JpegTolerance);
        Assert.Equal(2, Directory.GetFiles(dir["cache/celeba"]).Length);
    }

    public static TheoryData<string, string> MalformedPartitionLines() => new()
    {
        { "000001.jpg 0\n000002.jpg", "line 2: '000002.jpg' has 1 fields" },
        { "000001.jpg 0 extra", "line 1: '000001.jpg 0 extra' has 3 fields" },
        { "000001.jpg 3", "line 1: partition '3' for 000001.jpg" },
        { "000001.jpg -1", "partition '-1'" },
        { "000001.jpg train", "partition 'train'" },
        { "../000001.jpg 0", "line 1: '../000001.jpg' is not a plain file name" },
        { "000001.jpg 0\n000001.jpg 1", "line 2: '000001.jpg' is listed twice" },
        { "\n\n", "lists no images" },
        { "000001.jpg 1", "lists no images of partition 0 (train)" },
    };

    [Theory]
    [MemberData(nameof(MalformedPartitionLines))]
    public void Malformed_partition_file_names_file_and_line(string content, string expected)
    {
        using var dir = new TempDirectory();
        WriteDataset(dir, ("000001.jpg", 0, SKColors.Gray));
        File.WriteAllText(dir["celeba/list_eval_partition.txt"], content);
        var error = Assert.Throws<InvalidInputException>(() => new CelebADatasetProvider().Load(Request(dir)));
        Assert.Contains(dir["celeba/list_eval_partition.txt"], error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Bad_images_are_named()
    {
        using var dir = new TempDirectory();
        WriteDataset(dir, ("000001.jpg", 0, SKColors.Gray), ("000002.jpg", 0, SKColors.Gray));
        string second = dir["celeba/img_align_celeba/000002.jpg"];
        var provider = new CelebADatasetProvider();

        File.Delete(second);
        var missing = Assert.Throws<InvalidInputException>(() => provider.Load(Request(dir)));
        Assert.Contains($"{second}: image listed on line 2 of", missing.Message);

        File.WriteAllBytes(second, [1, 2, 3, 4, 5]);
        Assert.Contains($"{second}: not a readable PNG or JPEG image", Assert.Throws<InvalidInputException>(() => provider.Load(Request(dir))).Message);

        // A textured image (so the pixel data, not the header, fills most of the file), cut in half.
        TestImages.Write(second, 178, 218, (x, y) => new SKColor((byte)(x * 7 + y), (byte)(x * y), (byte)(y * 3)));
        var whole = File.ReadAllBytes(second);
        File.WriteAllBytes(second, whole[..(whole.Length / 2)]);
        var truncated = Assert.Throws<InvalidInputException>(() => provider.Load(Request(dir))).Message;
        Assert.True(truncated.Contains($"{second}: image data could not be decoded"), truncated);

        TestImages.Solid(second, 218, 178, SKColors.Gray);
        Assert.Contains($"{second}: image is 218x178, expected 178x218", Assert.Throws<InvalidInputException>(() => provider.Load(Request(dir))).Message);
        Assert.False(Directory.Exists(dir["cache/celeba"]) && Directory.GetFiles(dir["cache/celeba"]).Length > 0, "nothing cached from a failed decode");
    }

    [Fact]
    public void Missing_folders_and_download_are_refused()
    {
        using var dir = new TempDirectory();
        Assert.Contains("needs --data-dir", Assert.Throws<InvalidConfigurationException>(() => new CelebADatasetProvider().Load(new DatasetRequest(null, dir.Path))).Message);
        Assert.Contains("cannot be downloaded", Assert.Throws<InvalidConfigurationException>(() => new CelebADatasetProvider().Load(new DatasetRequest(dir.Path, dir.Path, Download: true))).Message);
        Assert.Contains("img_align_celeba: folder not found", Assert.Throws<InvalidInputException>(() => new CelebADatasetProvider().Load(new DatasetRequest(dir.Path, dir.Path))).Message);
    }
}
