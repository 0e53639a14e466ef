using System.Text.Json.Nodes;
using MemScore.Core;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

/// <summary>
/// A run folder written before model-options existed (Fixtures/old_flat_layout*: run.json with the flat
/// "feature-maps" and "mixture-components" fields, plan.json, and the task files of its two tasks, made by
/// commit 366aa34; see old_flat_layout.json) still opens, and resumes into the task file the earlier version wrote.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class OldRunFolderTests
{
    const string Fixture = "old_flat_layout.json";
    const string RecordedHash = "ff075a5dfd21bfb5";

    static readonly string[] SameFlags = ["run", "--model", "mol-dc-vae", "--feature-maps", "4", "--mixture-components", "2", "--latent-dim", "2",
        "--limit", "20", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "2", "--threads", "1", "--workers", "1", "--device", "cpu", "--top", "0"];

    static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "old_flat_layout_" + name);

    /// <summary>The old folder with only its first task finished.</summary>
    static string HalfDoneCopy(TempDirectory dir)
    {
        string run = dir["run"];
        Directory.CreateDirectory(Path.Combine(run, "tasks"));
        File.Copy(FixturePath("run.json"), Path.Combine(run, "run.json"));
        File.Copy(FixturePath("plan.json"), Path.Combine(run, "plan.json"));
        File.Copy(FixturePath("r0_f0.npz"), Path.Combine(run, "tasks", "r0_f0.npz"));
        return run;
    }

    [Fact]
    public void Its_run_json_opens_with_the_flat_fields_as_model_options()
    {
        var manifest = RunManifest.Read(FixturePath("run.json"));
        Assert.Equal(RecordedHash, manifest.ConfigHash);
        Assert.Equal(ModelOptionValues.Empty.With("feature-maps", 4).With("mixture-components", 2), manifest.Config.ModelOptions);
    }

    [Fact]
    public void It_resumes_with_the_same_flags_and_the_new_task_carries_the_folder_hash()
    {
        using var dir = new TempDirectory();
        string run = HalfDoneCopy(dir);
        var resumed = CliProcess.Run([.. SameFlags, "--out", run]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Equal(File.ReadAllBytes(FixturePath("r0_f0.npz")), File.ReadAllBytes(Path.Combine(run, "tasks", "r0_f0.npz")));
        var meta = JsonNode.Parse(Npz.Read(Path.Combine(run, "tasks", "r0_f1.npz"))["meta"].Data)!;
        Assert.Equal(RecordedHash, meta["ConfigHash"]!.GetValue<string>());
        var status = CliProcess.Run("status", run);
        Assert.True(status.ExitCode == 0, status.StdErr);
    }

    [SameCpuTheory(Fixture)]
    [InlineData("r0_f1.npz")]
    public void The_resumed_task_equals_the_one_the_earlier_version_wrote(string task)
    {
        using var dir = new TempDirectory();
        string run = HalfDoneCopy(dir);
        var resumed = CliProcess.Run([.. SameFlags, "--out", run]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        var expected = Npz.Read(FixturePath(task));
        var actual = Npz.Read(Path.Combine(run, "tasks", task));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (string key in expected.Keys.Where(k => k != "meta"))
            Assert.True(expected[key].Data.SequenceEqual(actual[key].Data) && expected[key].Descr == actual[key].Descr, $"{task}:{key} differs");
        Assert.Equal(WithoutSeconds(expected["meta"]), WithoutSeconds(actual["meta"]));
    }

    static string WithoutSeconds(NpyArray meta)
    {
        var node = JsonNode.Parse(meta.Data)!.AsObject();
        node.Remove("Seconds");
        return node.ToJsonString();
    }
}
