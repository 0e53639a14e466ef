using System.Diagnostics;
using MemScore.Tests.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Cli;

/// <summary>
/// Issue 18, storage side: what MemScore may delete or write, run through the real CLI. Each case
/// exits with a documented code and one error line naming the path, and leaves the user's files alone.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class HostileInputRound2StorageTests
{
    static readonly string[] Tiny = ["run", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "1"];

    static CliResult Ok(params string[] args)
    {
        var r = CliProcess.Run(args);
        Assert.True(r.ExitCode == 0, $"memscore {string.Join(' ', args)} -> {r.ExitCode}\n{r.StdErr}");
        return r;
    }

    static string[] ErrorLines(CliResult r) => r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:")).ToArray();

    static void AssertOneError(CliResult r, int exitCode, params string[] expected)
    {
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}, expected {exitCode}\n{r.StdErr}");
        string line = Assert.Single(ErrorLines(r));
        foreach (string e in expected) Assert.Contains(e, line);
    }

    /// <summary>The name MemScore gives its temporary files, for a process <paramref name="pid"/> of this host.</summary>
    static string TemporaryName(string target, int pid)
    {
        string host = new(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '_').Take(40).ToArray());
        return $".{target}.memscore-{host}-{pid}-{Guid.NewGuid():N}.tmp";
    }

    static int PidOfAnExitedProcess()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    // Item 1: --out on an existing folder that is not a run folder.
    [Fact]
    public void Out_on_a_foreign_folder_is_refused_and_its_tmp_files_are_kept()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["mine"]);
        File.WriteAllText(dir["mine/notes.txt"], "my notes");
        File.WriteAllText(dir["mine/.draft.tmp"], "my draft");
        var r = CliProcess.Run([.. Tiny, "--out", dir["mine"]]);
        AssertOneError(r, 4, dir["mine"], "not a MemScore run folder");
        Assert.Equal("my draft", File.ReadAllText(dir["mine/.draft.tmp"]));
        Assert.Equal(["notes.txt", ".draft.tmp"], Directory.EnumerateFileSystemEntries(dir["mine"]).Select(Path.GetFileName).OrderDescending());

        var full = CliProcess.Run("full", "--limit", "200", "--epochs", "1", "--is-samples", "4", "--out", dir["mine"]);
        AssertOneError(full, 4, dir["mine"], "not a MemScore full-run folder");
        Assert.True(File.Exists(dir["mine/.draft.tmp"]));

        Directory.CreateDirectory(dir["empty"]);   // an existing empty folder is fine
        Ok([.. Tiny, "--out", dir["empty"]]);
        Assert.True(File.Exists(dir["empty/scores.csv"]));
    }

    // Item 2: the start-up clean-up must not delete a live worker's temporary file.
    [Fact]
    public void Run_keeps_temporary_files_of_live_processes_and_of_users_and_removes_those_of_dead_ones()
    {
        using var dir = new TempDirectory();
        FinishedRuns.CopyTo(dir["run"], [.. Tiny, "--top", "0"]);   // made once, shared with HostileInputRound2CliTests
        File.Delete(dir["run/scores.csv"]);
        string live = dir["run/tasks/" + TemporaryName("r0_f0.npz", Environment.ProcessId)];   // this test process: alive
        string dead = dir["run/tasks/" + TemporaryName("r0_f1.npz", PidOfAnExitedProcess())];
        string deadRoot = dir["run/" + TemporaryName("summary.npz", PidOfAnExitedProcess())];
        string user = dir["run/tasks/.r0_f0.npz.1234.0123456789abcdef0123456789abcdef.tmp"];   // the old pattern, not ours to judge
        foreach (string f in new[] { live, dead, deadRoot, user }) File.WriteAllText(f, "partial");
        Ok([.. Tiny, "--out", dir["run"]]);
        Assert.True(File.Exists(live), "the temporary file of a live writer was deleted");
        Assert.True(File.Exists(user), "a file not named by MemScore's scheme was deleted");
        Assert.False(File.Exists(dead), "a dead writer's temporary file stays");
        Assert.False(File.Exists(deadRoot), "a dead writer's temporary file stays");
        Assert.True(File.Exists(dir["run/scores.csv"]));
    }

    // Item 8: run.json is checked against its own config_hash.
    [Fact]
    public void Hand_edited_run_json_is_refused_naming_the_edited_field()
    {
        using var dir = new TempDirectory();
        FinishedRuns.CopyTo(dir["run"], [.. Tiny, "--top", "0"]);   // made once, shared with HostileInputRound2CliTests
        string manifest = dir["run/run.json"];
        string original = File.ReadAllText(manifest);
        File.WriteAllText(manifest, original.Replace("\"epochs\": 1,", "\"epochs\": 2,"));
        Assert.NotEqual(original, File.ReadAllText(manifest));
        var edited = CliProcess.Run([.. Tiny, "--out", dir["run"]]);
        AssertOneError(edited, 4, manifest, "edited", "epochs: 1 -> 2");
        AssertOneError(CliProcess.Run("report", dir["run"]), 4, manifest, "edited");

        string hash = System.Text.Json.JsonDocument.Parse(original).RootElement.GetProperty("config_hash").GetString()!;
        File.WriteAllText(manifest, original.Replace(hash, "0123456789abcdef"));
        var rehashed = CliProcess.Run([.. Tiny, "--out", dir["run"]]);
        AssertOneError(rehashed, 4, manifest, "edited", "config_hash");
        Assert.DoesNotContain("()", Assert.Single(ErrorLines(rehashed)));

        File.WriteAllText(manifest, original);   // restored: resumes
        Ok([.. Tiny, "--out", dir["run"]]);
    }

    // Item 9: --out inside the data set.
    [Fact]
    public void Out_inside_an_image_folder_data_dir_is_refused_and_the_data_set_is_untouched()
    {
        using var dir = new TempDirectory();
        for (int i = 0; i < 6; i++)
            TestImages.Solid(dir[$"photos/{(i % 2 == 0 ? "cats" : "dogs")}/{i}.png"], 8, 8, new SKColor((byte)(40 * i), 10, 10));
        string[] Listing() => Directory.EnumerateFileSystemEntries(dir["photos"], "*", SearchOption.AllDirectories).Order().ToArray();
        var before = Listing();
        string[] args = ["run", "--dataset", "image-folder", "--data-dir", dir["photos"], "--folds", "2", "--repeats", "1", "--epochs", "1",
            "--is-samples", "2", "--threads", "1", "--model", "gaussian-dc-vae"];
        foreach (string output in new[] { dir["photos/run"], dir["photos"], dir["photos/cats/run"] })
        {
            var r = CliProcess.Run([.. args, "--out", output]);
            AssertOneError(r, 2, output, dir["photos"], "inside data-dir");
            Assert.Equal(before, Listing());
        }
        var full = CliProcess.Run("full", "--dataset", "image-folder", "--data-dir", dir["photos"], "--epochs", "1", "--out", dir["photos/full"]);
        AssertOneError(full, 2, dir["photos/full"], "inside data-dir");
        Assert.Equal(before, Listing());
    }

    // Item 19: empty paths and a run.lock that is a folder.
    [Fact]
    public void Empty_paths_and_a_folder_named_run_lock_give_clear_errors()
    {
        using var dir = new TempDirectory();
        AssertOneError(CliProcess.Run([.. Tiny, "--out", ""]), 2, "out = \"\"");
        AssertOneError(CliProcess.Run([.. Tiny, "--cache-dir", "", "--out", dir["a"]]), 2, "cache-dir = \"\"");
        AssertOneError(CliProcess.Run("compare", dir["x"], dir["y"], "--out", ""), 2, "out = \"\"");
        Directory.CreateDirectory(dir["b/run.lock"]);
        AssertOneError(CliProcess.Run([.. Tiny, "--out", dir["b"]]), 4, dir["b/run.lock"], "is a folder");
    }

    // Item 21: unwritable targets name the path and exit 4.
    [Fact]
    public void Cache_dir_or_compare_out_that_is_a_file_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["file"], "x");
        AssertOneError(CliProcess.Run([.. Tiny, "--cache-dir", dir["file"], "--out", dir["a"]]), 4, dir["file"], "is a file");
        FinishedRuns.CopyTo(dir["run"], [.. Tiny, "--top", "0"]);   // made once, shared with HostileInputRound2CliTests
        AssertOneError(CliProcess.Run("compare", dir["run"], dir["run"], "--out", dir["file"]), 4, dir["file"], "is a file");
        AssertOneError(CliProcess.Run("compare", dir["run"], dir["run"], "--out", dir["file/sub"]), 4, dir["file"], "is a file");
    }

    [ReadOnlyMountFact]
    public void Read_only_cache_dir_and_compare_out_are_refused_naming_them()
    {
        using var dir = new TempDirectory();
        FinishedRuns.CopyTo(dir["run"], [.. Tiny, "--top", "0"]);   // made once, shared with HostileInputRound2CliTests
        Directory.CreateDirectory(dir["ro"]);
        using var mount = ReadOnlyMount.Create(dir["ro"]);
        AssertOneError(CliProcess.Run([.. Tiny, "--cache-dir", dir["ro"], "--out", dir["a"]]), 4, dir["ro"], "not writable");
        AssertOneError(CliProcess.Run("compare", dir["run"], dir["run"], "--out", dir["ro/cmp"]), 4, dir["ro/cmp"], "not writable");
        AssertOneError(CliProcess.Run("compare", dir["run"], dir["run"], "--out", dir["ro"]), 4, dir["ro"], "not writable");
    }
}
