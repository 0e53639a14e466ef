using System.IO.Compression;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>The real CLI on the real embedded digits (fetched once into the default cache).</summary>
[Trait("Tier", "EndToEnd")]
public class RunCommandTests
{
    static readonly string[] Tiny = ["run", "--limit", "300", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "8", "--threads", "2"];

    [Fact]
    public void Tiny_run_gives_finite_scores_and_a_rerun_resumes_without_training()
    {
        using var dir = new TempDirectory();
        var first = CliProcess.Run([.. Tiny, "--out", dir["run"]]);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("2 tasks trained, 0 reused", first.StdOut);
        Assert.Contains("Top 10 memorized examples", first.StdOut);

        var lines = File.ReadAllLines(dir["run/scores.csv"]);
        Assert.Equal("index,label,U,V,M,n_in,n_out,M_lo,M_hi,p,q", lines[0]);
        Assert.Equal(301, lines.Length);
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            for (int c = 2; c <= 4; c++) Assert.True(double.IsFinite(double.Parse(f[c], System.Globalization.CultureInfo.InvariantCulture)), line);
            Assert.Equal("1", f[5]);
            Assert.Equal("1", f[6]);
        }
        Assert.True(File.Exists(dir["run/run.json"]));
        Assert.True(File.Exists(dir["run/tasks/r0_f0.npz"]));
        Assert.True(File.Exists(dir["run/tasks/r0_f1.npz"]));
        using (var zip = ZipFile.OpenRead(dir["run/summary.npz"]))
            Assert.Equal(["C.npy", "M.npy", "M_hi.npy", "M_lo.npy", "U.npy", "V.npy", "epochs.npy", "index.npy", "n_in.npy", "n_out.npy", "null_bias.npy", "p.npy", "q.npy"],
                zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));

        string scoresBefore = File.ReadAllText(dir["run/scores.csv"]);
        var taskTime = File.GetLastWriteTimeUtc(dir["run/tasks/r0_f0.npz"]);
        var second = CliProcess.Run([.. Tiny, "--out", dir["run"]]);
        Assert.True(second.ExitCode == 0, second.StdErr);
        Assert.Contains("0 tasks trained, 2 reused", second.StdOut);
        Assert.Equal(taskTime, File.GetLastWriteTimeUtc(dir["run/tasks/r0_f0.npz"]));
        Assert.Equal(scoresBefore, File.ReadAllText(dir["run/scores.csv"]));
    }

    [Fact]
    public void Same_seed_gives_bit_identical_scores_and_resume_after_a_lost_task_is_identical()
    {
        using var dir = new TempDirectory();
        var a = CliProcess.Run([.. Tiny, "--out", dir["a"]]);
        var b = CliProcess.Run([.. Tiny, "--out", dir["b"]]);
        Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a.StdErr + b.StdErr);
        Assert.Equal(File.ReadAllBytes(dir["a/scores.csv"]), File.ReadAllBytes(dir["b/scores.csv"]));
        Assert.Equal(File.ReadAllBytes(dir["a/summary.npz"]), File.ReadAllBytes(dir["b/summary.npz"]));

        // Losing one task and resuming recomputes it in isolation: the scores do not change.
        File.Delete(dir["b/tasks/r0_f0.npz"]);
        File.Delete(dir["b/scores.csv"]);
        var resumed = CliProcess.Run([.. Tiny, "--out", dir["b"]]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains("1 tasks trained, 1 reused", resumed.StdOut);
        Assert.Equal(File.ReadAllBytes(dir["a/scores.csv"]), File.ReadAllBytes(dir["b/scores.csv"]));

        var other = CliProcess.Run([.. Tiny, "--seed", "7", "--out", dir["c"]]);
        Assert.Equal(0, other.ExitCode);
        Assert.NotEqual(File.ReadAllBytes(dir["a/scores.csv"]), File.ReadAllBytes(dir["c/scores.csv"]));
    }

    [Fact]
    public void Resuming_with_another_config_is_refused_with_the_changed_fields()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, CliProcess.Run([.. Tiny, "--out", dir["run"]]).ExitCode);
        var refused = CliProcess.Run([.. Tiny, "--lr", "0.01", "--out", dir["run"]]);
        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("learning-rate: 0.001 -> 0.01", refused.StdErr);
    }

    public static TheoryData<string[], int, string> BadInvocations => new()
    {
        { ["run", "--folds", "1"], 2, "folds = 1" },
        { ["run", "--epochs", "0"], 2, "epochs = 0" },
        { ["run", "--is-samples", "0"], 2, "is-samples = 0" },
        { ["run", "--dataset", "imagenet"], 2, "dataset = imagenet" },
        { ["run", "--limit", "20", "--folds", "30"], 2, "folds = 30" },
        { ["run", "--folds", "two"], 2, "two" },
        { ["run", "--no-such-flag"], 2, "no-such-flag" },
        { ["run", "--dataset", "idx", "--data-dir", "/nonexistent/x"], 3, "/nonexistent/x" },
        { ["run", "--dataset", "mnist"], 2, "needs --data-dir" },
        { ["run", "--config", "/nonexistent/c.json"], 3, "/nonexistent/c.json: config file not found" },
    };

    [Theory]
    [MemberData(nameof(BadInvocations))]
    public void Invalid_input_gives_one_clear_line_and_a_documented_exit_code(string[] args, int exitCode, string expected)
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run([.. args, "--out", dir["run"]]);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.False(File.Exists(dir["run/scores.csv"]));
        Assert.False(Directory.Exists(dir["run/tasks"]) && Directory.EnumerateFiles(dir["run/tasks"]).Any());
    }

    [Fact]
    public void Garbled_idx_file_is_reported_with_its_path()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["train-images-idx3-ubyte"], [0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        var result = CliProcess.Run("run", "--dataset", "idx", "--data-dir", dir["train-images-idx3-ubyte"], "--out", dir["run"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{dir["train-images-idx3-ubyte"]}: truncated IDX data", result.StdErr);
        Assert.False(File.Exists(dir["run/run.json"]));
    }

    [Fact]
    public void Unwritable_output_is_refused_before_work_starts()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["file"], "I am a file, not a folder");
        var result = CliProcess.Run([.. Tiny, "--out", dir["file/run"]]);
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("not writable", result.StdErr);
    }

    [Fact]
    public void Help_lists_every_documented_flag_and_the_exit_codes()
    {
        var help = CliProcess.Run("run", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var flag in new[] { "--dataset", "--data-dir", "--limit", "--folds", "--repeats", "--epochs", "--eval-every", "--lr",
                     "--batch-size", "--latent-dim", "--is-samples", "--seed", "--out", "--threads", "--config", "--in-models", "--estimator" })
            Assert.Contains(flag, help.StdOut);
        Assert.Contains("Exit codes", help.StdOut);
        var models = CliProcess.Run("models");
        Assert.Contains("bernoulli-mlp-vae", models.StdOut);
    }
}

[Trait("Tier", "EndToEnd")]
public class InModelsRunTests
{
    static readonly string[] Args = ["run", "--limit", "300", "--folds", "3", "--repeats", "1", "--epochs", "2", "--eval-every", "1",
        "--is-samples", "8", "--threads", "2", "--in-models", "1", "--checkpoint-every", "1"];

    [Fact]
    public void Run_with_in_models_scores_every_example_from_M_in_values_and_resumes_to_identical_scores()
    {
        using var dir = new TempDirectory();
        var first = CliProcess.Run([.. Args, "--out", dir["run"]]);
        Assert.True(first.ExitCode == 0, first.StdErr);
        var lines = File.ReadAllLines(dir["run/scores.csv"]);
        Assert.Equal(301, lines.Length);
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split(',');
            Assert.True(double.IsFinite(double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture)), line);
            Assert.Equal("1", f[5]);   // n_in = M
            Assert.Equal("1", f[6]);
        }
        var rerun = CliProcess.Run([.. Args, "--out", dir["run"]]);
        Assert.True(rerun.ExitCode == 0, rerun.StdErr);
        Assert.Contains("0 tasks trained, 3 reused", rerun.StdOut);

        // Killed right after a task's first checkpoint (partial evaluations saved), then resumed.
        var killed = CliProcess.RunAndKill(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "kill:checkpoint:1" }, null, [.. Args, "--out", dir["killed"]]);
        Assert.NotNull(killed);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.NotEmpty(Directory.GetFiles(dir["killed/checkpoints"]));
        var resumed = CliProcess.Run([.. Args, "--out", dir["killed"]]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Equal(File.ReadAllBytes(dir["run/scores.csv"]), File.ReadAllBytes(dir["killed/scores.csv"]));

        var tooMany = CliProcess.Run([.. Args[..^4], "--in-models", "3", "--out", dir["bad"]]);
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("in-models = 3", tooMany.StdErr);
    }
}

[Trait("Tier", "EndToEnd")]
public class DynamicBinarizationTests
{
    [Fact]
    public void Dynamic_training_binarization_runs_and_differs_from_fixed()
    {
        using var dir = new TempDirectory();
        string[] tiny = ["run", "--limit", "300", "--folds", "2", "--repeats", "1", "--epochs", "2", "--is-samples", "8", "--threads", "2"];
        var dynamicRun = CliProcess.Run([.. tiny, "--train-binarization", "dynamic", "--out", dir["dyn"]]);
        Assert.True(dynamicRun.ExitCode == 0, dynamicRun.StdErr);
        Assert.Equal(0, CliProcess.Run([.. tiny, "--out", dir["fixed"]]).ExitCode);
        var lines = File.ReadAllLines(dir["dyn/scores.csv"]).Skip(1).ToArray();
        Assert.Equal(300, lines.Length);
        Assert.All(lines, l => Assert.True(double.IsFinite(double.Parse(l.Split(',')[4], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.NotEqual(File.ReadAllText(dir["fixed/scores.csv"]), File.ReadAllText(dir["dyn/scores.csv"]));
        // Both score the same fixed binarization of x_i, whatever the training draws were.
        Assert.Equal(File.ReadAllLines(dir["fixed/scores.csv"]).Select(l => l.Split(',')[0]), File.ReadAllLines(dir["dyn/scores.csv"]).Select(l => l.Split(',')[0]));
    }
}
