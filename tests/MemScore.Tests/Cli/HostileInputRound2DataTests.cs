using MemScore.Core;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>
/// Tiny runs shared by the damaged-run-folder cases below: a finished run, and runs killed right after
/// their first checkpoint (one task at a time, and fold ensembles), with the finished runs' scores.
/// </summary>
[Trait("Tier", "EndToEnd")]
public sealed class DamagedRunFixture : IDisposable
{
    public static readonly string[] Args = ["run", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "2", "--is-samples", "4", "--threads", "1", "--workers", "1"];
    public static readonly string[] EnsembleArgs = [.. Args, "--fold-ensembles"];

    readonly TempDirectory _dir = new();

    public DamagedRunFixture()
    {
        Finish(Args, "finished");
        Finish(EnsembleArgs, "ensemble-finished");
        KillAfterFirstCheckpoint(Args, "killed");
        KillAfterFirstCheckpoint(EnsembleArgs, "ensemble-killed");
        Assert.True(File.Exists(_dir["killed/checkpoints/r0_f0.npz"]));
        Assert.True(File.Exists(_dir["ensemble-killed/checkpoints/r0_ensemble.npz"]));
    }

    void Finish(string[] args, string name)
    {
        var r = CliProcess.Run([.. args, "--out", _dir[name]]);
        Assert.True(r.ExitCode == 0, r.StdErr);
    }

    void KillAfterFirstCheckpoint(string[] args, string name)
    {
        var r = CliProcess.RunAndKill(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "kill:checkpoint:1" }, null, [.. args, "--out", _dir[name]]);
        Assert.NotNull(r);
        Assert.NotEqual(0, r.ExitCode);
    }

    public byte[] Scores(string run) => File.ReadAllBytes(Path.Combine(_dir[run], "scores.csv"));

    /// <summary>A fresh copy of the fixture run <paramref name="run"/> in <paramref name="target"/>.</summary>
    public string CopyTo(string run, TempDirectory target)
    {
        string to = target["run"];
        FinishedRuns.CopyFolder(_dir[run], to);
        return to;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Issue 18, items 6 and 7: run-folder files that parse but hold numbers no run produces. Task results
/// are refused (exit 4, naming the file and the field) so no infinite or NaN M is ever written;
/// checkpoints are named in a warning and discarded, and the task restarts from scratch, so the rerun
/// succeeds with the same scores as an uninterrupted run.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class HostileInputRound2DataTests(DamagedRunFixture fixture) : IClassFixture<DamagedRunFixture>
{
    static void Change(string npz, string key, Func<NpyArray, NpyArray> change)
    {
        var arrays = Npz.Read(npz);
        arrays[key] = change(arrays[key]);
        Npz.Write(npz, arrays);
    }

    static NpyArray SetFirst(NpyArray a, double value)
    {
        if (a.Descr == "<f4")
        {
            var f = a.ToFloats();
            f[0] = (float)value;
            return NpyArray.FromFloats(f, a.Shape);
        }
        var d = a.ToDoubles();
        d[0] = value;
        return NpyArray.FromDoubles(d, a.Shape);
    }

    static string FirstKey(string npz, string prefix) => Npz.Read(npz).Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).First();

    public static TheoryData<string, string, double, string> DamagedResults => new()
    {
        { "logp", "logp", 1.7e308, "'logp' holds 1.7E+308 at evaluation 0, example 0" },
        { "logp", "logp", -1.7e308, "'logp' holds -1.7E+308 at evaluation 0, example 0" },
        { "logp", "logp", 2e12, "'logp' holds 2000000000000" },
        { "ess", "ess", double.NaN, "'ess' holds NaN at evaluation 0, example 0" },
        { "ess", "ess", -3, "'ess' holds -3" },
        { "ess", "ess", 1e9, "'ess' holds 1000000000, more than is-samples = 4" },
        { "train_loss", "train_loss", double.NaN, "'train_loss' holds NaN at epoch 1" },
        { "train_loss", "train_loss", double.PositiveInfinity, "'train_loss' holds Infinity at epoch 1" },
    };

    [Theory]
    [MemberData(nameof(DamagedResults))]
    public void A_task_result_with_absurd_values_is_refused_naming_file_and_field(string name, string key, double value, string expected)
    {
        Assert.NotNull(name);
        using var dir = new TempDirectory();
        string run = fixture.CopyTo("finished", dir);
        File.Delete(Path.Combine(run, "scores.csv"));
        File.Delete(Path.Combine(run, "summary.npz"));
        string task = Path.Combine(run, "tasks/r0_f0.npz");
        Change(task, key, a => SetFirst(a, value));
        var result = CliProcess.Run([.. DamagedRunFixture.Args, "--out", run]);
        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains($"{task}: {expected}", result.StdErr);
        Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(run, "scores.csv")), "no scores from a damaged result");
        Assert.False(File.Exists(Path.Combine(run, "summary.npz")));
    }

    public static TheoryData<string, string> DamagedCheckpoints => new()
    {
        { "adam_step 0", "'adam_step' holds 0, expected " },
        { "adam_step max", "'adam_step' holds 9223372036854775807" },
        { "NaN weight", "' holds NaN at position 0, expected finite values" },
        { "negative adam_v", "' holds -1 at position 0, expected second moments >= 0" },
        { "infinite adam_m", "' holds Infinity at position 0, expected finite values" },
        { "NaN train_loss", "'train_loss' holds NaN at epoch 1" },
    };

    static void Damage(string checkpoint, string how)
    {
        switch (how)
        {
            case "adam_step 0": Change(checkpoint, "adam_step", a => NpyArray.FromInt64(new long[a.Length], a.Shape)); break;
            case "adam_step max": Change(checkpoint, "adam_step", a => NpyArray.FromInt64(Enumerable.Repeat(long.MaxValue, (int)a.Length).ToArray(), a.Shape)); break;
            case "NaN weight": Change(checkpoint, FirstKey(checkpoint, "param."), a => SetFirst(a, double.NaN)); break;
            case "negative adam_v": Change(checkpoint, FirstKey(checkpoint, "adam_v."), a => SetFirst(a, -1)); break;
            case "infinite adam_m": Change(checkpoint, FirstKey(checkpoint, "adam_m."), a => SetFirst(a, double.PositiveInfinity)); break;
            case "NaN train_loss": Change(checkpoint, "train_loss", a => SetFirst(a, double.NaN)); break;
            default: throw new ArgumentException(how);
        }
    }

    [Theory]
    [MemberData(nameof(DamagedCheckpoints))]
    public void A_checkpoint_with_impossible_state_is_named_discarded_and_the_task_restarts(string how, string expected)
    {
        using var dir = new TempDirectory();
        string run = fixture.CopyTo("killed", dir);
        string checkpoint = Path.Combine(run, "checkpoints/r0_f0.npz");
        Damage(checkpoint, how);
        var result = CliProcess.Run([.. DamagedRunFixture.Args, "--out", run]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");
        string warning = Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith($"warning: {checkpoint}: ", StringComparison.Ordinal));
        Assert.Contains(expected, warning);
        Assert.Contains("checkpoint discarded, the task (repeat 0, fold 0) restarts from epoch 1", warning);
        Assert.Equal(fixture.Scores("finished"), File.ReadAllBytes(Path.Combine(run, "scores.csv")));
    }

    [Theory]
    [InlineData("adam_step 0", "'adam_step' holds 0")]
    [InlineData("NaN weight", "holds NaN")]
    [InlineData("negative adam_v", "holds -1")]
    public void A_fold_ensemble_checkpoint_with_impossible_state_is_named_discarded_and_the_repeat_restarts(string how, string expected)
    {
        using var dir = new TempDirectory();
        string run = fixture.CopyTo("ensemble-killed", dir);
        string checkpoint = Path.Combine(run, "checkpoints/r0_ensemble.npz");
        Damage(checkpoint, how);
        var result = CliProcess.Run([.. DamagedRunFixture.EnsembleArgs, "--out", run]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");
        string warning = Assert.Single(result.StdErr.Split('\n'), l => l.StartsWith($"warning: {checkpoint}: ", StringComparison.Ordinal));
        Assert.Contains(expected, warning);
        Assert.Contains("checkpoint discarded, the fold ensemble of repeat 0 restarts from epoch 1", warning);
        Assert.Equal(fixture.Scores("ensemble-finished"), File.ReadAllBytes(Path.Combine(run, "scores.csv")));
    }

    [Fact]
    public void A_full_run_checkpoint_with_a_wrong_step_count_is_discarded_and_the_files_match_an_uninterrupted_run()
    {
        using var dir = new TempDirectory();
        string[] args = ["full", "--limit", "200", "--epochs", "2", "--is-samples", "4", "--threads", "1"];
        Assert.Equal(0, CliProcess.Run([.. args, "--out", dir["reference"]]).ExitCode);
        var killed = CliProcess.RunAndKill(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "kill:checkpoint:1" }, null, [.. args, "--out", dir["full"]]);
        Assert.NotNull(killed);
        Assert.NotEqual(0, killed.ExitCode);
        string checkpoint = dir["full/checkpoint.npz"];
        Damage(checkpoint, "adam_step 0");
        var result = CliProcess.Run([.. args, "--out", dir["full"]]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains($"warning: {checkpoint}: 'adam_step' holds 0, expected ", result.StdErr);
        Assert.Contains("checkpoint discarded, training restarts from epoch 1", result.StdErr);
        Assert.Equal(File.ReadAllBytes(dir["reference/full.npz"]), File.ReadAllBytes(dir["full/full.npz"]));
    }

    /// <summary>Run-folder files that are not regular files: a FIFO would block forever, /dev/zero would be read without end.</summary>
    [Theory]
    [InlineData("tasks/r0_f0.npz", "fifo")]
    [InlineData("tasks/r0_f1.npz", "/dev/zero")]
    [InlineData("run.json", "/dev/zero")]
    [InlineData("run.json", "fifo")]
    [InlineData("run.lock", "/dev/zero")]
    [InlineData("run.lock", "fifo")]
    public void A_run_folder_file_that_is_a_fifo_or_device_is_refused_promptly_naming_it(string file, string what)
    {
        using var dir = new TempDirectory();
        string run = fixture.CopyTo("finished", dir);
        File.Delete(Path.Combine(run, "scores.csv"));
        string path = Path.Combine(run, file);
        File.Delete(path);
        if (what == "fifo") Data.HostileFileReadersTests.MakeFifo(path);
        else File.CreateSymbolicLink(path, what);
        var result = CliProcess.RunAndKill(null, TimeSpan.FromSeconds(60), [.. DamagedRunFixture.Args, "--out", run]);
        Assert.NotNull(result);
        Assert.True(result.ExitCode == 4, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains($"{path}: not a regular file (a FIFO, device or socket", result.StdErr);
        Assert.False(File.Exists(Path.Combine(run, "scores.csv")));
    }

    [Fact]
    public void A_zip_bomb_in_place_of_a_task_result_is_refused_against_the_plan()
    {
        using var dir = new TempDirectory();
        string run = fixture.CopyTo("finished", dir);
        File.Delete(Path.Combine(run, "scores.csv"));
        string task = Path.Combine(run, "tasks/r0_f0.npz");
        var arrays = Npz.Read(task);
        arrays["logp"] = NpyArray.FromDoubles(new double[25_000_000], 1, 25_000_000);   // 200 MB of zeros, deflated to ~200 KB
        File.Delete(task);
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(task), System.IO.Compression.ZipArchiveMode.Create))
            foreach (var (name, array) in arrays)
            {
                using var member = zip.CreateEntry(name + ".npy", System.IO.Compression.CompressionLevel.Fastest).Open();
                array.WriteTo(member);
            }
        var result = CliProcess.Run([.. DamagedRunFixture.Args, "--out", run]);
        Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains($"{task}: members unpack to ", result.StdErr);
        Assert.False(File.Exists(Path.Combine(run, "scores.csv")));
    }
}
