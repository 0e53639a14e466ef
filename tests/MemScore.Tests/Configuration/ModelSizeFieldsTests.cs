using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Tests.Support;

namespace MemScore.Tests.Configuration;

/// <summary>--feature-maps (DC-VAE width F) and --mixture-components (logistics per pixel of mol-dc-vae).</summary>
public class ModelSizeFieldsTests
{
    static long ParameterCount(IDensityModel model) =>
        ((ICheckpointable)model).SaveState().Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).Sum(kv => kv.Value.Length);

    [Fact]
    public void The_fields_reach_the_built_network()
    {
        var config = new ExperimentConfig { Model = "mol-dc-vae", LatentDim = 8, FeatureMaps = 8, MixtureComponents = 3, Device = "cpu" };
        var family = ModelRegistry.CreateDefault().Get(config.Model);
        using var small = family.Create(config.ModelContextFor([3, 32, 32], initSeed: 1));
        using var paper = family.Create((config with { FeatureMaps = null, MixtureComponents = null }).ModelContextFor([3, 32, 32], initSeed: 1));
        Assert.Equal("8", small.Describe().Settings["feature_maps"]);
        Assert.Equal("3", small.Describe().Settings["mixture_components"]);
        Assert.Equal("32", paper.Describe().Settings["feature_maps"]);
        Assert.Equal("10", paper.Describe().Settings["mixture_components"]);
        Assert.True(ParameterCount(small) * 4 < ParameterCount(paper), $"{ParameterCount(small)} vs {ParameterCount(paper)} parameters");
    }

    [Fact]
    public void Unset_fields_leave_the_json_and_hash_as_before()
    {
        var plain = new ExperimentConfig { Model = "bernoulli-dc-vae" };
        Assert.DoesNotContain("feature-maps", plain.ToJson());
        Assert.DoesNotContain("mixture-components", plain.ToJson());
        Assert.Contains("\"feature-maps\": 16", (plain with { FeatureMaps = 16 }).ToJson());
        Assert.NotEqual(plain.Hash(), (plain with { FeatureMaps = 16 }).Hash());
    }

    [Theory]
    [InlineData("bernoulli-mlp-vae", 8, null, "feature-maps = 8: expected no value for model bernoulli-mlp-vae")]
    [InlineData("bernoulli-dc-vae", 0, null, "feature-maps = 0: expected an integer in 1..256")]
    [InlineData("gaussian-dc-vae", null, 5, "mixture-components = 5: expected no value for model gaussian-dc-vae")]
    [InlineData("mol-dc-vae", null, 0, "mixture-components = 0: expected an integer in 1..100")]
    public void Misapplied_or_out_of_range_values_are_refused(string model, int? featureMaps, int? components, string message)
    {
        var config = new ExperimentConfig { Model = model, FeatureMaps = featureMaps, MixtureComponents = components };
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_narrow_mixture_dc_vae_runs_through_the_cli()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run("run", "--model", "mol-dc-vae", "--feature-maps", "8", "--mixture-components", "3", "--latent-dim", "8",
            "--limit", "100", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "2", "--out", dir["run"], "--top", "0");
        Assert.True(run.ExitCode == 0, run.StdErr);
        string manifest = File.ReadAllText(dir["run/run.json"]);
        Assert.Contains("\"feature-maps\": 8", manifest);
        Assert.Contains("\"mixture-components\": 3", manifest);
    }
}
