using MemScore.Core;
using MemScore.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Data;

/// <summary>
/// Image folders and CelebA folders built to mislead the readers (issue 18): symbolic-link loops and
/// repeated links, and image files changed in place without changing their names or sizes.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class HostileImageInputTests
{
    static void Link(string link, string target) => File.CreateSymbolicLink(link, target);

    [Fact]
    public void A_symlink_loop_in_an_image_folder_is_refused_naming_the_link()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["photos/cats/a.png"], 4, 4, SKColors.Red);
        TestImages.Solid(dir["photos/dogs/b.png"], 4, 4, SKColors.Blue);
        Link(dir["photos/cats/again"], ".");   // cats/again/again/... would list a.png 41 times
        var e = Assert.Throws<InvalidInputException>(() => ImageFolderDatasetProvider.List(dir["photos"]));
        Assert.Equal(dir["photos/cats/again"], e.Path);
        Assert.Contains("symbolic link loop", e.Message);
        Assert.Contains(dir["photos/cats"], e.Message);
    }

    [Fact]
    public void A_link_back_to_the_data_folder_itself_is_a_loop()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["photos/cats/a.png"], 4, 4, SKColors.Red);
        Link(dir["photos/cats/up"], "..");
        var e = Assert.Throws<InvalidInputException>(() => ImageFolderDatasetProvider.List(dir["photos"]));
        Assert.Equal(dir["photos/cats/up"], e.Path);
        Assert.Contains("symbolic link loop", e.Message);
    }

    [Fact]
    public void Every_real_file_is_counted_once_however_many_links_lead_to_it()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["photos/cats/a.png"], 4, 4, SKColors.Red);
        TestImages.Solid(dir["shared/s1.png"], 4, 4, SKColors.Green);
        TestImages.Solid(dir["shared/s2.png"], 4, 4, SKColors.Blue);
        Link(dir["photos/cats/one"], dir["shared"]);       // two links to one folder: walked once, at cats/one
        Link(dir["photos/cats/two"], dir["shared"]);
        Link(dir["photos/cats/copy.png"], dir["photos/cats/a.png"]);   // a link to a file already listed
        Link(dir["photos/dogs"], dir["photos/cats"]);      // a class folder that is another class folder
        TestImages.Solid(dir["photos/owls/o.png"], 4, 4, SKColors.White);
        var (files, labels) = ImageFolderDatasetProvider.List(dir["photos"]);
        string[] relative = files.Select(f => Path.GetRelativePath(dir["photos"], f).Replace('\\', '/')).ToArray();
        Assert.Equal(["cats/a.png", "cats/one/s1.png", "cats/one/s2.png", "owls/o.png"], relative);
        Assert.Equal([0, 0, 0, 1], labels);
    }

    [Fact]
    public void Two_links_to_their_own_folder_end_promptly_with_a_clear_error()
    {
        // Each link doubles the walk: without cycle detection it never ends (killed after 60 s here).
        using var dir = new TempDirectory();
        for (int i = 0; i < 12; i++) TestImages.Solid(dir[$"photos/c/{i}.png"], 4, 4, new SKColor((byte)(20 * i), 0, 0));
        Link(dir["photos/c/l1"], ".");
        Link(dir["photos/c/l2"], ".");
        var result = CliProcess.RunAndKill(null, TimeSpan.FromSeconds(60),
            "run", "--dataset", "image-folder", "--data-dir", dir["photos"],
            "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--out", dir["out"]);
        Assert.NotNull(result);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains(dir["photos/c/l1"] + ": symbolic link loop", result.StdErr);
        Assert.False(File.Exists(dir["out/run.json"]));
    }

    [Fact]
    public void Swapping_two_same_size_celeba_images_invalidates_the_decoded_cache_and_the_dataset_hash()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["celeba/img_align_celeba/000001.jpg"], 178, 218, new SKColor(200, 30, 30));
        TestImages.Solid(dir["celeba/img_align_celeba/000002.jpg"], 178, 218, new SKColor(30, 30, 200));
        File.WriteAllText(dir["celeba/list_eval_partition.txt"], "000001.jpg 0\n000002.jpg 0\n");
        var request = new DatasetRequest(dir["celeba"], dir["cache"]);
        string before;
        using (var first = new CelebADatasetProvider().Load(request))
        {
            before = first.ContentHash();
            Assert.True(first.Images[0, 0].mean().item<float>() > 0.6f);   // red first
        }
        // Swap the files: same names, same sizes, other pixels.
        File.Move(dir["celeba/img_align_celeba/000001.jpg"], dir["swap"]);
        File.Move(dir["celeba/img_align_celeba/000002.jpg"], dir["celeba/img_align_celeba/000001.jpg"]);
        File.Move(dir["swap"], dir["celeba/img_align_celeba/000002.jpg"]);
        using var second = new CelebADatasetProvider().Load(request);
        Assert.True(second.Images[0, 2].mean().item<float>() > 0.6f, "image 0 must now be the blue one, not stale cached pixels");
        Assert.True(second.Images[1, 0].mean().item<float>() > 0.6f);
        Assert.NotEqual(before, second.ContentHash());
    }

    [Fact]
    public void A_celeba_image_rewritten_in_place_with_the_same_size_is_decoded_again()
    {
        using var dir = new TempDirectory();
        string image = dir["celeba/img_align_celeba/000001.jpg"];
        TestImages.Solid(image, 178, 218, new SKColor(10, 200, 10));
        File.WriteAllText(dir["celeba/list_eval_partition.txt"], "000001.jpg 0\n");
        var request = new DatasetRequest(dir["celeba"], dir["cache"]);
        using (var first = new CelebADatasetProvider().Load(request)) Assert.True(first.Images[0, 1].mean().item<float>() > 0.6f);
        // Same length, one changed byte in the entropy-coded data, same modification time.
        var bytes = File.ReadAllBytes(image);
        var stamp = File.GetLastWriteTimeUtc(image);
        using (var changed = new CelebADatasetProvider().Load(request))
        {
            string hash = changed.ContentHash();
            TestImages.Solid(image, 178, 218, new SKColor(200, 10, 10));
            Assert.Equal(bytes.Length, new FileInfo(image).Length);
            File.SetLastWriteTimeUtc(image, stamp);
            using var again = new CelebADatasetProvider().Load(request);
            Assert.True(again.Images[0, 0].mean().item<float>() > 0.6f, "the rewritten image must be decoded, not read from the cache");
            Assert.NotEqual(hash, again.ContentHash());
        }
    }
}
