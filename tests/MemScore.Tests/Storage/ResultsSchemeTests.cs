using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

/// <summary>The results scheme enters the config hash; a folder of another scheme is refused naming both schemes.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ResultsSchemeTests
{
    static readonly ExperimentConfig Config = new() { Threads = 1, Limit = 100 };

    /// <summary>run.json as MemScore wrote it before schemes were recorded: no results_scheme, hash of the JSON alone.</summary>
    static string SchemeOneManifest(ExperimentConfig config)
    {
        var manifest = RunManifest.Create(config, "data-hash", 100, [1, 32, 32], InputKind.Binary);
        var root = JsonNode.Parse(manifest.ToJson())!.AsObject();
        root.Remove("results_scheme");
        root["config_hash"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(FlatJson(config)))).ToLowerInvariant()[..16];
        return root.ToJsonString();
    }

    /// <summary>The config JSON as MemScore wrote it before model-options (ConfigLayout.Flat): the same without that field.</summary>
    static string FlatJson(ExperimentConfig config)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        Assert.True(json.Remove("model-options"));
        return json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    [Fact]
    public void The_scheme_enters_the_hash_and_scheme_1_is_the_hash_every_earlier_folder_recorded()
    {
        string json = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(FlatJson(Config)))).ToLowerInvariant()[..16];
        Assert.Equal(json, Config.Hash(1));
        Assert.NotEqual(Config.Hash(1), Config.Hash());
        Assert.Equal(Config.Hash(ResultsScheme.Current), Config.Hash());
        Assert.NotEqual(Config.Hash(2), Config.Hash(3));
        Assert.Equal(2, ResultsScheme.Current);
        Assert.Throws<ArgumentOutOfRangeException>(() => Config.Hash(0));
    }

    [Fact]
    public void Mol_dc_vae_alone_moved_to_scheme_3_and_its_scheme_2_folders_are_refused_naming_both()
    {
        var mol = Config with { Model = "mol-dc-vae", Dataset = "cifar10" };
        Assert.Equal(3, ModelRegistry.ResultsSchemeOf("mol-dc-vae"));
        Assert.Equal(mol.Hash(3), mol.Hash());
        foreach (var family in ModelRegistry.CreateDefault().All.Where(f => f.Name != "mol-dc-vae"))
            Assert.Equal((Config with { Model = family.Name }).Hash(2), (Config with { Model = family.Name }).Hash());

        using var dir = new TempDirectory();
        var root = JsonNode.Parse(RunManifest.Create(mol, "h", 100, [3, 32, 32], InputKind.Discrete8Bit).ToJson())!.AsObject();
        Assert.Equal(3, root["results_scheme"]!.GetValue<int>());
        root["results_scheme"] = 2;
        root["config_hash"] = mol.Hash(2);
        File.WriteAllText(dir["run.json"], root.ToJsonString());
        var error = Assert.Throws<MemScoreException>(() => RunManifest.Read(dir["run.json"], mol));
        Assert.Contains("made by an earlier MemScore results scheme (2; this MemScore uses scheme 3", error.Message);
    }

    [Fact]
    public void A_new_run_json_records_the_current_scheme_and_reads_back()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["run.json"], RunManifest.Create(Config, "h", 100, [1, 32, 32], InputKind.Binary).ToJson());
        Assert.Equal(ResultsScheme.Current, JsonNode.Parse(File.ReadAllText(dir["run.json"]))!["results_scheme"]!.GetValue<int>());
        var manifest = RunManifest.Read(dir["run.json"]);
        Assert.Equal(ResultsScheme.Current, manifest.Scheme);
        Assert.Equal(Config.Hash(), manifest.ConfigHash);
    }

    [Fact]
    public void A_run_folder_of_the_earlier_scheme_is_refused_naming_both_schemes_not_as_another_config()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["run"]);
        File.WriteAllText(Path.Combine(dir["run"], "run.json"), SchemeOneManifest(Config));

        var read = Assert.Throws<MemScoreException>(() => RunManifest.Read(Path.Combine(dir["run"], "run.json"), Config));
        Assert.Equal(ErrorKind.RunFolder, read.Kind);
        Assert.Contains("made by an earlier MemScore results scheme (1; this MemScore uses scheme 2", read.Message);
        Assert.DoesNotContain("different config", read.Message);
        Assert.DoesNotContain("edited by hand", read.Message);

        // Resuming the same config into it is refused the same way, before any data is loaded.
        var plan = Assert.Throws<MemScoreException>(() =>
            new RunPlanner(DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()).Plan(new RunRequest(Config, dir["run"], dir["cache"])));
        Assert.Contains("earlier MemScore results scheme (1; this MemScore uses scheme 2", plan.Message);
        Assert.False(File.Exists(Path.Combine(dir["run"], "plan.json")));
    }

    [Fact]
    public void The_cli_refuses_an_earlier_scheme_folder_with_exit_4_for_resume_and_report()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["run"]);
        File.WriteAllText(dir["run/run.json"], SchemeOneManifest(Config));
        foreach (var args in new[] { new[] { "run", "--out", dir["run"] }, ["run", "--limit", "100", "--out", dir["run"]], ["report", dir["run"]] })
        {
            var result = CliProcess.Run(args);
            Assert.True(result.ExitCode == 4, $"{string.Join(' ', args)}: exit {result.ExitCode}\n{result.StdErr}");
            Assert.Contains("was made by an earlier MemScore results scheme (1; this MemScore uses scheme 2", result.StdErr);
        }
        Assert.False(File.Exists(dir["run/plan.json"]));

        // A `memscore full` folder of scheme 1 (full.json without results_scheme) is not resumed either.
        Directory.CreateDirectory(dir["full"]);
        File.WriteAllText(dir["full/full.json"], new JsonObject
        {
            ["kind"] = "full", ["config"] = JsonNode.Parse(Config.ToJson()), ["config_hash"] = Config.Hash(1), ["dataset_hash"] = "d",
            ["train_examples"] = 90, ["test_examples"] = 10, ["test_source"] = "seeded hold-out", ["test_fraction"] = 0.1,
        }.ToJsonString());
        var full = CliProcess.Run("full", "--limit", "100", "--epochs", "1", "--threads", "1", "--out", dir["full"]);
        Assert.True(full.ExitCode == 4, $"full: exit {full.ExitCode}\n{full.StdErr}");
        Assert.Contains("full-run folder was made by an earlier MemScore results scheme (1; this MemScore uses scheme 2", full.StdErr);
        Assert.False(File.Exists(dir["full/full.npz"]));
    }

    [Fact]
    public void A_run_json_of_a_later_scheme_is_refused_and_an_edited_scheme_reads_as_edited()
    {
        using var dir = new TempDirectory();
        var root = JsonNode.Parse(RunManifest.Create(Config, "h", 100, [1, 32, 32], InputKind.Binary).ToJson())!.AsObject();
        root["results_scheme"] = 3;
        root["config_hash"] = Config.Hash(3);
        File.WriteAllText(dir["later.json"], root.ToJsonString());
        var later = Assert.Throws<MemScoreException>(() => RunManifest.Read(dir["later.json"]));
        Assert.Contains("made by a later MemScore results scheme (3; this MemScore uses scheme 2", later.Message);

        // An old run.json whose results_scheme was set to 2 by hand no longer matches its own hash.
        var edited = JsonNode.Parse(SchemeOneManifest(Config))!.AsObject();
        edited["results_scheme"] = 2;
        File.WriteAllText(dir["edited.json"], edited.ToJsonString());
        Assert.Contains("edited by hand", Assert.Throws<MemScoreException>(() => RunManifest.Read(dir["edited.json"])).Message);

        root["results_scheme"] = 0;
        File.WriteAllText(dir["zero.json"], root.ToJsonString());
        Assert.Contains("results_scheme = 0", Assert.Throws<InvalidInputException>(() => RunManifest.Read(dir["zero.json"])).Message);
    }

    [Fact]
    public void A_full_run_folder_of_the_earlier_scheme_is_refused_by_the_report()
    {
        using var dir = new TempDirectory();
        var folder = new FullRunFolder(dir["full"]);
        Directory.CreateDirectory(dir["full"]);
        File.WriteAllText(folder.ManifestPath, new JsonObject
        {
            ["kind"] = "full", ["config"] = JsonNode.Parse(Config.ToJson()), ["config_hash"] = Config.Hash(1), ["dataset_hash"] = "d",
            ["train_examples"] = 90, ["test_examples"] = 10, ["test_source"] = "seeded hold-out", ["test_fraction"] = 0.1,
        }.ToJsonString());
        var error = Assert.Throws<MemScoreException>(() => folder.ReadManifest());
        Assert.Contains("full-run folder was made by an earlier MemScore results scheme (1; this MemScore uses scheme 2", error.Message);
    }
}
