using MemScore.Tests.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Cli;

/// <summary>
/// Opening a run folder reads run.json, the plan (plan.json, examples.npz) and the task files only:
/// `status` and `aggregate` work after the data folder and the data cache are deleted (issue 13 item 4);
/// `report`, which draws the images, fails clearly instead.
/// Tiny run: 60 images of 8x8, K = 2, L = 1, one epoch.
/// </summary>
public class RunReaderCliTests
{
    [Fact]
    public void Status_and_aggregate_work_on_a_run_whose_data_is_gone()
    {
        using var dir = new TempDirectory();
        for (int i = 0; i < 60; i++)
            TestImages.Write(dir[$"photos/{i:D2}.png"], 8, 8, (x, y) => new SKColor((byte)(4 * i + 3 * x), (byte)(30 * y), (byte)(i * 7 % 256)));
        var run = CliProcess.Run("run", "--dataset", "image-folder", "--data-dir", dir["photos"], "--cache-dir", dir["cache"], "--limit", "60",
            "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "2", "--threads", "1", "--out", dir["run"]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        byte[] scores = File.ReadAllBytes(dir["run/scores.csv"]);
        Directory.Delete(dir["photos"], recursive: true);
        if (Directory.Exists(dir["cache"])) Directory.Delete(dir["cache"], recursive: true);

        var status = CliProcess.Run("status", dir["run"]);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains($"{dir["run"]}: 2 tasks", status.StdOut);
        Assert.Matches(@"done\s+2\s+0-1", status.StdOut);

        File.Delete(dir["run/scores.csv"]);
        var aggregate = CliProcess.Run("aggregate", dir["run"]);
        Assert.True(aggregate.ExitCode == 0, aggregate.StdErr);
        Assert.Equal(scores, File.ReadAllBytes(dir["run/scores.csv"]));   // labels and source indices from examples.npz

        // The report draws image tiles, so it needs the data: it fails naming the missing folder and writes nothing.
        var report = CliProcess.Run("report", dir["run"]);
        Assert.NotEqual(0, report.ExitCode);
        Assert.Contains(dir["photos"], report.StdErr);
        Assert.False(Directory.Exists(dir["run/report"]));
    }
}
