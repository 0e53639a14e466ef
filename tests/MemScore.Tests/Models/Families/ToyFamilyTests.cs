using MemScore.Cli.Commands;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Models.Families;

/// <summary>
/// Issue 13 item 2, "adding a toy model family with one option touches no file outside the family and the
/// test": the family below (its options record, schema and model) lives in this file only, and its option
/// reaches the built model through the config file, through --model-option and through validation.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class ToyFamilyTests
{
    sealed record ToyOptions(int Width = 2);

    /// <summary>A model that only reports its width: enough to see which options reached it.</summary>
    sealed class ToyModel(int width) : IDensityModel
    {
        public ModelDescription Describe() => new("toy", new Dictionary<string, string> { ["width"] = width.ToString() });
        public double TrainStep(Tensor batch, Generator noise) => 0;
        public Tensor LogLikelihood(Tensor batch, Generator noise) => zeros(batch.shape[0], dtype: ScalarType.Float64);
        public void Dispose() { }
    }

    static readonly ModelFamily Toy = ModelFamily.WithOptions("toy", "a test family with one option",
        new ModelOptionSchema<ToyOptions>(new()).Integer("width", "how wide the toy is", o => o.Width, (o, v) => o with { Width = v }, min: 1, max: 8),
        (_, o) => new ToyModel(o.Width), InputKind.Binary);

    static readonly ModelRegistry Registry = ModelRegistry.CreateDefault().Add(Toy);

    static string WidthOf(ExperimentConfig config)
    {
        ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), Registry);
        using var model = Registry.Get(config.Model).Create(config.ModelContextFor([1, 32, 32], initSeed: 1));
        return model.Describe().Settings["width"];
    }

    [Fact]
    public void The_default_applies_when_the_option_is_not_given()
    {
        Assert.Equal("2", WidthOf(new ExperimentConfig { Model = "toy", Device = "cpu" }));
        var listed = Assert.Single(Toy.Options.All);
        Assert.Equal(("width", "2", "an integer in 1..8"), (listed.Key, listed.Default, listed.Expected));
    }

    [Fact]
    public void The_config_file_sets_the_option()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["config.json"], """{ "model": "toy", "device": "cpu", "model-options": { "width": 3 } }""");
        Assert.Equal("3", WidthOf(ExperimentConfig.FromJsonFile(dir["config.json"])));
    }

    [Fact]
    public void The_model_option_flag_sets_the_option_and_overrides_the_config_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["config.json"], """{ "model": "toy", "device": "cpu", "model-options": { "width": 3 } }""");
        var fromFlag = new RunSettings { Model = "toy", Device = "cpu", ModelOptions = ["width=4"] }.ResolveConfig();
        var overridden = new RunSettings { ConfigFile = dir["config.json"], ModelOptions = ["width=5"] }.ResolveConfig();
        Assert.Equal("4", WidthOf(fromFlag));
        Assert.Equal("5", WidthOf(overridden));
        // The flag and the file spell the same value alike, so the config hash does not depend on where it came from.
        var fromFile = new RunSettings { ConfigFile = dir["config.json"] }.ResolveConfig();
        Assert.Equal(fromFile.Hash(), (fromFlag with { ModelOptions = ModelOptionValues.Empty.WithAssignments(["width=3"]) }).Hash());
    }

    [Theory]
    [InlineData("width=0", "model-options.width = 0: expected an integer in 1..8")]
    [InlineData("width=2.5", "model-options.width = 2.5: expected an integer in 1..8")]
    [InlineData("width=wide", "model-options.width = \"wide\": expected an integer in 1..8")]
    [InlineData("depth=1", "model-options.depth = 1: unknown option; the options of model toy are width")]
    public void An_invalid_value_or_unknown_key_is_refused_naming_option_value_and_expectation(string assignment, string message)
    {
        var config = new RunSettings { Model = "toy", Device = "cpu", ModelOptions = [assignment] }.ResolveConfig();
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), Registry));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_assignment_without_a_key_is_refused_naming_the_flag()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => new RunSettings { Model = "toy", ModelOptions = ["=3"] }.ResolveConfig());
        Assert.Contains("--model-option =3: expected KEY=VALUE", error.Message);
    }
    /// <summary>A family whose own results change declares its scheme; the config hash and run folders follow it, no file outside the family changes.</summary>
    [Fact]
    public void A_family_declares_its_results_scheme_and_the_config_hash_follows_it()
    {
        var changed = Toy with { Name = "toy-scheme-7", ResultsScheme = 7 };
        _ = new ModelRegistry().Add(changed);
        Assert.Equal(7, ModelRegistry.ResultsSchemeOf("toy-scheme-7"));
        var config = new ExperimentConfig { Model = "toy-scheme-7", Device = "cpu" };
        Assert.Equal(config.Hash(7), config.Hash());
        Assert.NotEqual(config.Hash(MemScore.Core.ResultsScheme.Current), config.Hash());
        Assert.Equal(MemScore.Core.ResultsScheme.Current, ModelRegistry.ResultsSchemeOf("toy"));
        var conflicting = Assert.Throws<ArgumentException>(() => new ModelRegistry().Add(changed with { ResultsScheme = 8 }));
        Assert.Contains("results scheme 7 elsewhere, here with 8", conflicting.Message);
    }
}
