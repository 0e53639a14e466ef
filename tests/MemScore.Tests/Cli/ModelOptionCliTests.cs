using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MemScore.Models;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>--model-option and `memscore models` through the real CLI.</summary>
[Trait("Tier", "EndToEnd")]
public class ModelOptionCliTests
{
    [Fact]
    public void Models_lists_every_option_of_every_family_with_its_default()
    {
        var models = CliProcess.Run("models");
        Assert.Equal(0, models.ExitCode);
        Assert.Contains("--model-option", CliProcess.Run("run", "--help").StdOut);
        foreach (var family in ModelRegistry.CreateDefault().All)
        {
            Assert.Contains(family.Name, models.StdOut);
            foreach (var option in family.Options.All)
                Assert.Contains($"{option.Key} {(option.Default is null ? "required" : "default " + option.Default)}; {option.Expected}: {option.Description}",
                    Regex.Replace(models.StdOut, " +", " "));
        }
    }

    [Fact]
    public void Plan_writes_the_options_into_run_json_and_hashes_them_under_layout_2()
    {
        using var dir = new TempDirectory();
        string[] flow = ["plan", "--model", "realnvp-flow", "--limit", "20", "--device", "cpu"];
        var plain = CliProcess.Run([.. flow, "--out", dir["plain"]]);
        var narrow = CliProcess.Run([.. flow, "--model-option", "hidden-channels=4", "--model-option", "scales=1", "--out", dir["narrow"]]);
        Assert.True(plain.ExitCode == 0, plain.StdErr);
        Assert.True(narrow.ExitCode == 0, narrow.StdErr);
        var manifest = JsonNode.Parse(File.ReadAllText(dir["narrow/run.json"]))!;
        Assert.Equal("""{"hidden-channels":4,"scales":1}""", manifest["config"]!["model-options"]!.ToJsonString());
        Assert.NotEqual(JsonNode.Parse(File.ReadAllText(dir["plain/run.json"]))!["config_hash"]!.GetValue<string>(), manifest["config_hash"]!.GetValue<string>());
    }

    [Fact]
    public void An_option_the_data_cannot_take_is_refused_by_the_sanity_pass_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run("plan", "--model", "realnvp-flow", "--limit", "20", "--device", "cpu", "--model-option", "scales=6", "--out", dir["run"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("model = realnvp-flow does not work on input 1x32x32", run.StdErr);
        Assert.Contains("must be divisible by 64 for 6 scales", run.StdErr);
        Assert.False(File.Exists(dir["run/run.json"]));
    }

    [Fact]
    public void An_unknown_option_is_refused_naming_it_and_the_valid_ones()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run("run", "--model", "bernoulli-dc-vae", "--model-option", "scales=2", "--out", dir["run"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("model-options.scales = 2: unknown option; the options of model bernoulli-dc-vae are feature-maps", run.StdErr);
        Assert.False(Directory.Exists(dir["run"]) && Directory.EnumerateFileSystemEntries(dir["run"]).Any());
    }
}
