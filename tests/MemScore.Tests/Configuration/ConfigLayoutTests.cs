using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using MemScore.Tests.Support;

namespace MemScore.Tests.Configuration;

/// <summary>
/// The config hash across the arrival of model-options (<see cref="ConfigLayout"/>): configs that MemScore
/// could express before hash as they did then (hashes recorded by commit 366aa34, the last before the change),
/// and any other model option is hashed under the versioned layout 2.
/// </summary>
public class ConfigLayoutTests
{
    static readonly ExperimentConfig Narrow = new()
    {
        Model = "mol-dc-vae", LatentDim = 2, Limit = 20, Folds = 2, Repeats = 1, Epochs = 1, EvalEvery = 5, ImportanceSamples = 2, Device = "cpu",
        ModelOptions = ModelOptionValues.Empty.With("feature-maps", 4).With("mixture-components", 2),
    };

    [Fact]
    public void Configs_expressible_before_model_options_keep_the_hashes_recorded_by_the_earlier_version()
    {
        // `memscore plan --limit 20 --device cpu` and the run of Fixtures/old_flat_layout.json, both by commit 366aa34
        // (whose defaults were L = 2, 10 epochs, evaluated every 5).
        Assert.Equal("ea1f9e5db0d0c2a9", new ExperimentConfig { Limit = 20, Device = "cpu", Repeats = 2, Epochs = 10, EvalEvery = 5 }.Hash());
        Assert.Equal("ff075a5dfd21bfb5", Narrow.Hash(2));   // mol-dc-vae has since moved to results scheme 3 (ResultsScheme.For)
        Assert.Equal(Narrow.Hash(3), Narrow.Hash());
        Assert.Equal(ConfigLayout.Flat, ConfigLayout.Of(Narrow));
    }

    [Fact]
    public void Another_model_option_is_hashed_under_layout_2()
    {
        var flow = new ExperimentConfig { Model = "realnvp-flow" };
        var scaled = flow with { ModelOptions = ModelOptionValues.Empty.With("scales", 2) };
        Assert.Equal(ConfigLayout.ModelOptions, ConfigLayout.Of(scaled));
        Assert.NotEqual(flow.Hash(), scaled.Hash());
        Assert.Contains("\"scales\": 2", scaled.ToJson());
    }

    [Fact]
    public void A_config_file_may_spell_the_earlier_options_as_top_level_fields()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["flat.json"], """{ "model": "mol-dc-vae", "feature-maps": 4, "mixture-components": 2, "latent-dim": 2, "limit": 20, "folds": 2, "repeats": 1, "epochs": 1, "eval-every": 5, "is-samples": 2, "device": "cpu" }""");
        File.WriteAllText(dir["nested.json"], """{ "model": "mol-dc-vae", "model-options": { "mixture-components": 2, "feature-maps": 4 }, "latent-dim": 2, "limit": 20, "folds": 2, "repeats": 1, "epochs": 1, "eval-every": 5, "is-samples": 2, "device": "cpu" }""");
        Assert.Equal(Narrow, ExperimentConfig.FromJsonFile(dir["flat.json"]));
        Assert.Equal(Narrow, ExperimentConfig.FromJsonFile(dir["nested.json"]));
    }

    [Fact]
    public void Both_spellings_with_different_values_are_refused_naming_both()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["both.json"], """{ "model": "bernoulli-dc-vae", "feature-maps": 4, "model-options": { "feature-maps": 8 } }""");
        var error = Assert.Throws<InvalidInputException>(() => ExperimentConfig.FromJsonFile(dir["both.json"]));
        Assert.Contains("\"feature-maps\" = 4 and \"model-options\": {\"feature-maps\": 8} set the same option to different values", error.Message);
    }

    [Theory]
    [InlineData("""{ "model-options": [1] }""", "model-options must be a JSON object")]
    [InlineData("""{ "model-options": { "scales": null } }""", "model-options.scales = null: expected a number, a string or true/false")]
    [InlineData("""{ "model-options": null }""", "null is not a value of this field")]
    public void Malformed_model_options_are_refused_naming_the_file_and_field(string json, string message)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["bad.json"], json);
        var error = Assert.Throws<InvalidInputException>(() => ExperimentConfig.FromJsonFile(dir["bad.json"]));
        Assert.Contains(dir["bad.json"], error.Message);
        Assert.Contains(message, error.Message);
    }
}
