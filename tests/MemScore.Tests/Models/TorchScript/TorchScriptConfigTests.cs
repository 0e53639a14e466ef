using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Models.TorchScript;
using MemScore.Tests.Support;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>The torchscript model-options in a config: validation messages, the input kind they choose, the module hash in the config hash.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class TorchScriptConfigTests
{
    static ExperimentConfig Config(ModelOptionValues options, string model = TorchScriptFamily.FamilyName) =>
        new() { Model = model, ModelOptions = options };

    static ExperimentConfig Config(TorchScriptOptions options) => Config(options.ToValues());

    static string Refusal(ExperimentConfig config) =>
        Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault())).Message;

    [Fact]
    public void Invalid_settings_are_refused_naming_option_and_value()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["m.pt"], "module");
        Assert.Contains("model-options.path: required by model torchscript", Refusal(Config(ModelOptionValues.Empty)));
        Assert.Contains("model-options.path = \"m.pt\": unknown option; the options of model bernoulli-mlp-vae are dropout",
            Refusal(Config(ModelOptionValues.Empty.With("path", "m.pt"), BernoulliMlpVae.FamilyName)));
        Assert.Contains($"model-options.path = \"{dir["absent.pt"]}\": expected the path of an existing file", Refusal(Config(new TorchScriptOptions { Path = dir["absent.pt"] })));
        string both = Refusal(Config(new TorchScriptOptions { Path = dir["m.pt"], Input = "rgb", Init = "zeros", Sha256 = "abc" }));
        Assert.Contains("model-options.input = \"rgb\": expected binary, dequantized, discrete-8bit", both);
        Assert.Contains("model-options.init = \"zeros\": expected reset or file", both);
        Assert.Contains("model-options.sha256 = \"abc\": expected 64 lower-case hex digits", both);
    }

    [Fact]
    public void A_recorded_hash_that_is_not_the_files_is_refused_naming_both()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["m.pt"], "module");
        string actual = TorchScriptFile.Sha256(dir["m.pt"]);
        string message = Refusal(Config(new TorchScriptOptions { Path = dir["m.pt"], Sha256 = new string('0', 64) }));
        Assert.Contains($"the file's SHA-256 is {actual}, not the {new string('0', 64)} this run was made with", message);
        ConfigValidator.Validate(Config(new TorchScriptOptions { Path = dir["m.pt"], Sha256 = actual }), DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());
    }

    [Fact]
    public void The_options_choose_the_input_kind_of_the_family()
    {
        using var dir = new TempDirectory();
        string module = dir["m.pt"];
        File.WriteAllText(module, "module");
        var family = ModelRegistry.CreateDefault().Get(TorchScriptFamily.FamilyName);
        Assert.Equal(InputKind.Dequantized, family.InputFor(new TorchScriptOptions { Path = module, Input = "dequantized" }.ToValues()));
        Assert.Equal(InputKind.Discrete8Bit, family.InputFor(new TorchScriptOptions { Path = module, Input = "discrete-8bit" }.ToValues()));
        Assert.Equal(InputKind.Binary, family.InputFor(ModelOptionValues.Empty.With("path", module)));
        Assert.Equal(InputKind.Dequantized, ModelRegistry.CreateDefault().Get(GaussianDcVae.FamilyName).InputFor(ModelOptionValues.Empty));
    }

    [Fact]
    public void Resolving_records_the_absolute_path_and_the_files_hash_and_keeps_a_recorded_hash()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["m.pt"], "module");
        var registry = ModelRegistry.CreateDefault();
        var resolved = registry.Resolve(Config(ModelOptionValues.Empty.With("path", Path.GetRelativePath(Environment.CurrentDirectory, dir["m.pt"]))));
        Assert.Equal($"\"{Path.GetFullPath(dir["m.pt"])}\"", resolved.ModelOptions.TextOf("path"));
        Assert.Equal($"\"{TorchScriptFile.Sha256(dir["m.pt"])}\"", resolved.ModelOptions.TextOf("sha256"));
        var recorded = Config(new TorchScriptOptions { Path = dir["m.pt"], Sha256 = new string('0', 64) });
        Assert.Equal(recorded, registry.Resolve(recorded));
        var other = new ExperimentConfig();
        Assert.Equal(other, registry.Resolve(other));
    }

    [Fact]
    public void The_module_hash_enters_the_config_hash_and_other_configs_keep_theirs()
    {
        var a = Config(new TorchScriptOptions { Path = "/m.pt", Sha256 = new string('a', 64) });
        var b = Config(new TorchScriptOptions { Path = "/m.pt", Sha256 = new string('b', 64) });
        Assert.NotEqual(a.Hash(), b.Hash());
        Assert.Equal(ConfigLayout.ModelOptions, ConfigLayout.Of(a));
        Assert.Contains(new string('a', 64), a.ToJson());
        Assert.DoesNotContain("torchscript", new ExperimentConfig().ToJson());
    }

    [Fact]
    public void A_config_file_round_trips_the_module_settings()
    {
        using var dir = new TempDirectory();
        var config = Config(new TorchScriptOptions { Path = "/m.pt", Sha256 = new string('c', 64), Input = "dequantized", Init = "file" });
        File.WriteAllText(dir["c.json"], config.ToJson());
        var read = ExperimentConfig.FromJsonFile(dir["c.json"]);
        Assert.Equal(config.ModelOptions, read.ModelOptions);
        Assert.Equal(config.Hash(), read.Hash());
    }
}
