using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Data;

public class ImageFolderTests
{
    // PNG is lossless: values are exact. JPEG at quality 100 of a flat colour is within 3 levels.
    const float JpegTolerance = 3f / 255;

    static ImageDataset Load(string folder, int size = 4) => new ImageFolderDatasetProvider(size).Load(new DatasetRequest(folder, folder));

    static float[] Pixel(ImageDataset data, int image, int y, int x) =>
        Enumerable.Range(0, data.Channels).Select(c => data.Images[image, c, y, x].item<float>()).ToArray();

    [Fact]
    public void Flat_folder_gives_label_zero_in_name_order()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["b.png"], 8, 8, new SKColor(255, 0, 0));
        TestImages.Solid(dir["a.jpg"], 10, 6, new SKColor(0, 0, 255));
        File.WriteAllText(dir["notes.txt"], "not an image");
        TestImages.Solid(dir[".hidden.png"], 8, 8, SKColors.White);
        using var data = Load(dir.Path);
        Assert.Equal([2L, 3, 4, 4], data.Images.shape);
        Assert.Equal([0, 0], data.Labels);
        Assert.Equal([0, 1], data.SourceIndices);
        var blue = Pixel(data, 0, 2, 2);
        Assert.InRange(blue[2], 1 - JpegTolerance, 1f);
        Assert.InRange(blue[0], 0f, JpegTolerance);
        Assert.Equal([1f, 0f, 0f], Pixel(data, 1, 3, 0));
    }

    [Fact]
    public void Class_subfolders_give_sorted_labels_and_paths_order_the_images()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["dogs/x.png"], 4, 4, new SKColor(10, 20, 30));
        TestImages.Solid(dir["cats/y.png"], 4, 4, new SKColor(40, 50, 60));
        TestImages.Solid(dir["cats/deeper/z.png"], 4, 4, new SKColor(70, 80, 90));
        using var data = Load(dir.Path);
        Assert.Equal([0, 0, 1], data.Labels);          // cats = 0, dogs = 1
        Assert.Equal(70f / 255, Pixel(data, 0, 0, 0)[0], 6);   // cats/deeper/z.png sorts before cats/y.png
        Assert.Equal(40f / 255, Pixel(data, 1, 0, 0)[0], 6);
        Assert.Equal(10f / 255, Pixel(data, 2, 0, 0)[0], 6);
    }

    [Fact]
    public void Greyscale_only_gives_one_channel_and_any_colour_gives_three()
    {
        using var dir = new TempDirectory();
        TestImages.Write(dir["g/a.png"], 4, 4, (x, y) => new SKColor(120, 120, 120), SKColorType.Gray8);
        TestImages.Solid(dir["g/b.png"], 4, 4, new SKColor(30, 30, 30));   // RGB file holding only greys
        using (var grey = Load(dir["g"]))
        {
            Assert.Equal([2L, 1, 4, 4], grey.Images.shape);
            Assert.Equal(120f / 255, grey.Images[0, 0, 1, 1].item<float>(), 6);
        }
        TestImages.Solid(dir["g/c.png"], 4, 4, new SKColor(200, 0, 0));
        using var mixed = Load(dir["g"]);
        Assert.Equal([3L, 3, 4, 4], mixed.Images.shape);
        Assert.All(Pixel(mixed, 0, 2, 2), v => Assert.Equal(120f / 255, v, 6));   // the greyscale file: three equal channels
        Assert.Equal([200f / 255, 0f, 0f], Pixel(mixed, 2, 0, 0));
    }

    [Fact]
    public void Transparency_is_composited_onto_black()
    {
        using var dir = new TempDirectory();
        // Left half: fully transparent white; right half: half-transparent red.
        TestImages.Write(dir["a.png"], 4, 4, (x, y) => x < 2 ? new SKColor(255, 255, 255, 0) : new SKColor(255, 0, 0, 128));
        using var data = Load(dir.Path);
        Assert.Equal([0f, 0f, 0f], Pixel(data, 0, 0, 0));
        // Premultiplying 255 by alpha 128/255 gives 128; allow 1 level for Skia's rounding.
        var red = Pixel(data, 0, 0, 3);
        Assert.InRange(red[0], 127f / 255, 129f / 255);
        Assert.Equal(0f, red[1] + red[2]);
    }

    [Fact]
    public void Wide_images_are_cropped_to_their_centred_square()
    {
        using var dir = new TempDirectory();
        // 6x2: columns 0-1 red, 2-3 green, 4-5 blue; the centred 2x2 square is all green.
        TestImages.Write(dir["a.png"], 6, 2, (x, y) => x < 2 ? SKColors.Red : x < 4 ? new SKColor(0, 255, 0) : SKColors.Blue);
        using var data = Load(dir.Path, size: 2);
        Assert.Equal([1L, 3, 2, 2], data.Images.shape);
        Assert.Equal(4f, data.Images[0, 1].sum().item<float>());
        Assert.Equal(0f, data.Images[0, 0].sum().item<float>() + data.Images[0, 2].sum().item<float>());
    }

    [Fact]
    public void Bad_folders_and_files_are_named()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["empty"]);
        Assert.Contains("holds no PNG or JPEG images", Assert.Throws<InvalidInputException>(() => Load(dir["empty"])).Message);
        Assert.Contains($"{dir["nope"]}: no such folder", Assert.Throws<InvalidInputException>(() => Load(dir["nope"])).Message);

        TestImages.Solid(dir["mixed/top.png"], 4, 4, SKColors.Red);
        TestImages.Solid(dir["mixed/cls/inner.png"], 4, 4, SKColors.Red);
        Assert.Contains("both at the top level and in subfolder 'cls'", Assert.Throws<InvalidInputException>(() => Load(dir["mixed"])).Message);

        TestImages.Solid(dir["classes/a/x.png"], 4, 4, SKColors.Red);
        Directory.CreateDirectory(dir["classes/b"]);
        Assert.Contains($"{dir["classes/b"]}: class folder holds no PNG or JPEG images", Assert.Throws<InvalidInputException>(() => Load(dir["classes"])).Message);

        TestImages.Solid(dir["broken/ok.png"], 4, 4, SKColors.Red);
        File.WriteAllBytes(dir["broken/bad.png"], [0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
        Assert.Contains($"{dir["broken/bad.png"]}: not a readable PNG or JPEG image", Assert.Throws<InvalidInputException>(() => Load(dir["broken"])).Message);
    }
}
