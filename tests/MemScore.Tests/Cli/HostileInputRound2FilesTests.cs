using MemScore.Tests.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Cli;

/// <summary>
/// Issue 18, items 13 and 14, through the real CLI: input files that are FIFOs or devices give one clear
/// error naming the file (exit 3 for data and config files) instead of blocking forever or reading without
/// end. Each run is killed after 60 s, so a hang fails the test rather than the suite.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class HostileInputRound2FilesTests
{
    static readonly string[] R = ["run", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4"];

    static void AssertRefused(CliResult? result, string expected, TempDirectory dir)
    {
        Assert.NotNull(result);
        Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains(expected, result.StdErr);
        Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(File.Exists(dir["out/run.json"]));
    }

    static CliResult? Run(params string[] args) => CliProcess.RunAndKill(null, TimeSpan.FromSeconds(60), args);

    [Fact]
    public void A_fifo_in_place_of_an_idx_file()
    {
        using var dir = new TempDirectory();
        HostileFileReadersTests.MakeFifo(dir["x-images-idx3-ubyte"]);
        AssertRefused(Run([.. R, "--dataset", "idx", "--data-dir", dir["x-images-idx3-ubyte"], "--out", dir["out"]]),
            $"{dir["x-images-idx3-ubyte"]}: not a regular file (a FIFO, device or socket; expected an IDX file)", dir);
    }

    [Fact]
    public void A_fifo_named_png_in_an_image_folder()
    {
        using var dir = new TempDirectory();
        for (int i = 0; i < 6; i++) TestImages.Solid(dir[$"photos/{i}.png"], 8, 8, new SKColor((byte)(40 * i), 0, 0));
        HostileFileReadersTests.MakeFifo(dir["photos/3b.png"]);
        AssertRefused(Run([.. R[..1], "--dataset", "image-folder", "--data-dir", dir["photos"], "--folds", "2", "--epochs", "1", "--out", dir["out"]]),
            $"{dir["photos/3b.png"]}: not a regular file (a FIFO, device or socket; expected a PNG or JPEG image)", dir);
    }

    [Fact]
    public void Dev_zero_as_the_config_file()
    {
        using var dir = new TempDirectory();
        AssertRefused(Run([.. R, "--config", "/dev/zero", "--out", dir["out"]]), "/dev/zero: not a regular file (a FIFO, device or socket; expected a JSON config)", dir);
    }

    [Fact]
    public void A_celeba_partition_file_linked_to_dev_zero()
    {
        using var dir = new TempDirectory();
        TestImages.Solid(dir["celeba/img_align_celeba/000001.jpg"], 178, 218, SKColors.Red);
        File.CreateSymbolicLink(dir["celeba/list_eval_partition.txt"], "/dev/zero");
        AssertRefused(Run([.. R[..1], "--dataset", "celeba", "--data-dir", dir["celeba"], "--model", "gaussian-dc-vae", "--folds", "2", "--epochs", "1", "--out", dir["out"]]),
            $"{dir["celeba/list_eval_partition.txt"]}: not a regular file", dir);
    }
}
