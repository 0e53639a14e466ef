using MemScore.Data;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>The new datasets and --download through the real CLI: one clear error line, documented exit code, nothing written.</summary>
[Trait("Tier", "EndToEnd")]
public class DatasetFlagTests
{
    static void AssertOneErrorAndNoRun(CliResult result, int exitCode, string expected, string outDir)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains(expected, result.StdErr);
        Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith("error:"));
        Assert.False(File.Exists(Path.Combine(outDir, "run.json")), "nothing may be written for bad input");
    }

    [Fact]
    public void Download_goes_to_the_mirror_named_by_the_environment()
    {
        using var dir = new TempDirectory();
        using var server = new LocalHttpServer();   // knows no files: every request gets 404
        var environment = new Dictionary<string, string> { [DatasetDownloader.MirrorVariable] = server.BaseUrl };
        var result = CliProcess.Run(environment, "run", "--dataset", "mnist", "--download", "--cache-dir", dir["cache"], "--out", dir["out"]);
        AssertOneErrorAndNoRun(result, 6, $"{server.BaseUrl}/mnist/train-images-idx3-ubyte.gz: HTTP 404", dir["out"]);
        Assert.Equal(["/mnist/train-images-idx3-ubyte.gz"], server.Requested);
    }

    [Fact]
    public void Cifar10_without_data_dir_or_download_says_how_to_get_it()
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run("run", "--dataset", "cifar10", "--cache-dir", dir["cache"], "--out", dir["out"]);
        AssertOneErrorAndNoRun(result, 2, "or --download", dir["out"]);
    }

    [Fact]
    public void Celeba_malformed_partition_line_is_named()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["celeba/img_align_celeba"]);
        File.WriteAllText(dir["celeba/list_eval_partition.txt"], "000001.jpg 0\n000002.jpg x\n");
        var result = CliProcess.Run("run", "--dataset", "celeba", "--data-dir", dir["celeba"], "--cache-dir", dir["cache"], "--out", dir["out"]);
        AssertOneErrorAndNoRun(result, 3, $"{dir["celeba/list_eval_partition.txt"]}: line 2: partition 'x'", dir["out"]);
    }

    [Fact]
    public void Image_folder_without_images_is_named()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["images"]);
        var result = CliProcess.Run("run", "--dataset", "image-folder", "--data-dir", dir["images"], "--cache-dir", dir["cache"], "--out", dir["out"]);
        AssertOneErrorAndNoRun(result, 3, $"{dir["images"]}: holds no PNG or JPEG images", dir["out"]);
    }
}
