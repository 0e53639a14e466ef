using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Models.TorchScript;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>The torchscript part of a config: validation messages, the input kind it selects, and the hash.</summary>
public class TorchScriptConfigTests
{
    static ExperimentConfig Config(TorchScriptOptions? options, string model = TorchScriptFamily.FamilyName) =>
        new() { Model = model, TorchScript = options };

    static string Refusal(ExperimentConfig config) =>
        Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault())).Message;

    [Fact]
    public void Invalid_settings_are_refused_naming_field_and_value()
    {
        Assert.Contains("torchscript = null: expected the module file (--model-file FILE)", Refusal(Config(null)));
        Assert.Contains("torchscript = m.pt: expected no module file for model bernoulli-mlp-vae",
            Refusal(Config(new TorchScriptOptions { Path = "m.pt" }, BernoulliMlpVae.FamilyName)));
        string both = Refusal(Config(new TorchScriptOptions { Path = "m.pt", Input = "rgb", Init = "zeros" }));
        Assert.Contains("torchscript.input = rgb: expected binary, dequantized or discrete-8bit", both);
        Assert.Contains("torchscript.init = zeros: expected reset or file", both);
    }

    [Fact]
    public void The_config_chooses_the_input_kind_of_the_family()
    {
        var registry = ModelRegistry.CreateDefault();
        Assert.Equal(InputKind.Dequantized, registry.For(Config(new TorchScriptOptions { Path = "m.pt", Input = "dequantized" })).Input);
        Assert.Equal(InputKind.Discrete8Bit, registry.For(Config(new TorchScriptOptions { Path = "m.pt", Input = "discrete-8bit" })).Input);
        Assert.Equal(InputKind.Binary, registry.For(Config(new TorchScriptOptions { Path = "m.pt" })).Input);
        Assert.Equal(InputKind.Dequantized, registry.For(new ExperimentConfig { Model = GaussianDcVae.FamilyName }).Input);
    }

    [Fact]
    public void The_module_hash_enters_the_config_hash_and_other_configs_keep_theirs()
    {
        var a = Config(new TorchScriptOptions { Path = "/m.pt", Sha256 = new string('a', 64) });
        var b = a with { TorchScript = a.TorchScript! with { Sha256 = new string('b', 64) } };
        Assert.NotEqual(a.Hash(), b.Hash());
        Assert.Contains(new string('a', 64), a.ToJson());
        Assert.DoesNotContain("torchscript", new ExperimentConfig().ToJson());
    }

    [Fact]
    public void A_config_file_round_trips_the_module_settings()
    {
        using var dir = new Support.TempDirectory();
        var config = Config(new TorchScriptOptions { Path = "/m.pt", Sha256 = new string('c', 64), Input = "dequantized", Init = "file" });
        File.WriteAllText(dir["c.json"], config.ToJson());
        Assert.Equal(config.TorchScript, ExperimentConfig.FromJsonFile(dir["c.json"]).TorchScript);
    }
}
