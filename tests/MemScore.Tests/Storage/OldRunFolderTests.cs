using System.Text.Json.Nodes;
using MemScore.Core;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

/// <summary>
/// A run folder written before model-options existed (Fixtures/old_flat_layout*: run.json with the flat
/// "feature-maps" and "mixture-components" fields, plan.json, and the task files of its two tasks, made by
/// commit 366aa34; see old_flat_layout.json). Its family, mol-dc-vae, has since moved to results scheme 3
/// (log p(x) by the fused kernel, <see cref="ModelRegistry.ResultsSchemeOf"/>), so the folder is refused as a scheme-2
/// folder; that refusal is given only after its flat fields were read as model options and its config
/// matched its recorded hash under scheme 2 (else it would read as edited by hand).
/// </summary>
[Trait("Tier", "EndToEnd")]
public class OldRunFolderTests
{
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
    public void Its_run_json_reads_the_flat_fields_and_is_refused_as_results_scheme_2()
    {
        var error = Assert.Throws<MemScoreException>(() => RunManifest.Read(FixturePath("run.json")));
        Assert.Contains("made by an earlier MemScore results scheme (2; this MemScore uses scheme 3", error.Message);
        var root = JsonNode.Parse(File.ReadAllText(FixturePath("run.json")))!.AsObject();
        Assert.Equal(RecordedHash, root["config_hash"]!.GetValue<string>());
    }

    [Fact]
    public void Resuming_it_with_the_same_flags_exits_4_and_writes_no_task()
    {
        using var dir = new TempDirectory();
        string run = HalfDoneCopy(dir);
        var resumed = CliProcess.Run([.. SameFlags, "--out", run]);
        Assert.True(resumed.ExitCode == 4, $"exit {resumed.ExitCode}\n{resumed.StdErr}");
        Assert.Contains("results scheme (2; this MemScore uses scheme 3", resumed.StdErr);
        Assert.Equal(File.ReadAllBytes(FixturePath("r0_f0.npz")), File.ReadAllBytes(Path.Combine(run, "tasks", "r0_f0.npz")));
        Assert.False(File.Exists(Path.Combine(run, "tasks", "r0_f1.npz")));
    }
}
