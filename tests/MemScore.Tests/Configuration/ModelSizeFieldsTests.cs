using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Tests.Support;

namespace MemScore.Tests.Configuration;

/// <summary>The DC-VAE model-options feature-maps (width F) and mixture-components (logistics per pixel of mol-dc-vae), and their shorthand flags.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ModelSizeFieldsTests
{
    static long ParameterCount(IDensityModel model) =>
        ((ICheckpointable)model).SaveState().Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).Sum(kv => kv.Value.Length);

    [Fact]
    public void The_fields_reach_the_built_network()
    {
        var config = new ExperimentConfig { Model = "mol-dc-vae", LatentDim = 8, Device = "cpu",
            ModelOptions = ModelOptionValues.Empty.With("feature-maps", 8).With("mixture-components", 3) };
        var family = ModelRegistry.CreateDefault().Get(config.Model);
        using var small = family.Create(config.ModelContextFor([3, 32, 32], initSeed: 1));
        using var paper = family.Create((config with { ModelOptions = ModelOptionValues.Empty }).ModelContextFor([3, 32, 32], initSeed: 1));
        Assert.Equal("8", small.Describe().Settings["feature_maps"]);
        Assert.Equal("3", small.Describe().Settings["mixture_components"]);
        Assert.Equal("32", paper.Describe().Settings["feature_maps"]);
        Assert.Equal("10", paper.Describe().Settings["mixture_components"]);
        Assert.True(ParameterCount(small) * 4 < ParameterCount(paper), $"{ParameterCount(small)} vs {ParameterCount(paper)} parameters");
    }

    [Fact]
    public void Unset_options_are_absent_from_the_json_and_set_ones_change_the_hash()
    {
        var plain = new ExperimentConfig { Model = "bernoulli-dc-vae" };
        var wide = plain with { ModelOptions = ModelOptionValues.Empty.With("feature-maps", 16) };
        Assert.DoesNotContain("feature-maps", plain.ToJson());
        Assert.DoesNotContain("mixture-components", plain.ToJson());
        Assert.Contains("\"feature-maps\": 16", wide.ToJson());
        Assert.NotEqual(plain.Hash(), wide.Hash());
    }

    [Theory]
    [InlineData("bernoulli-mlp-vae", 8, null, "model-options.feature-maps = 8: unknown option; the options of model bernoulli-mlp-vae are dropout")]
    [InlineData("bernoulli-dc-vae", 0, null, "model-options.feature-maps = 0: expected an integer in 1..256")]
    [InlineData("gaussian-dc-vae", null, 5, "model-options.mixture-components = 5: unknown option; the options of model gaussian-dc-vae are feature-maps")]
    [InlineData("mol-dc-vae", null, 0, "model-options.mixture-components = 0: expected an integer in 1..100")]
    public void Misapplied_or_out_of_range_values_are_refused(string model, int? featureMaps, int? components, string message)
    {
        var options = ModelOptionValues.Empty;
        if (featureMaps is int f) options = options.With("feature-maps", f);
        if (components is int k) options = options.With("mixture-components", k);
        var config = new ExperimentConfig { Model = model, ModelOptions = options };
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
        Assert.Contains("\"model-options\": {\n      \"feature-maps\": 8,\n      \"mixture-components\": 3\n    }", manifest);
    }
}
