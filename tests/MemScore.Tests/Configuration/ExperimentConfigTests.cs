using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Tests.Support;

namespace MemScore.Tests.Configuration;

public class ExperimentConfigTests
{
    static void Validate(ExperimentConfig c) => ConfigValidator.Validate(c, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());

    [Fact]
    public void Defaults_are_valid_and_hash_is_stable()
    {
        var c = new ExperimentConfig { Threads = 2 };
        Validate(c);
        Assert.Equal(c.Hash(), (c with { }).Hash());
        Assert.NotEqual(c.Hash(), (c with { Seed = 43 }).Hash());
        Assert.Equal([60], c.EvaluationEpochs());   // default: the last epoch only
        Assert.Equal([5, 10], (c with { Epochs = 10, EvalEvery = 5 }).EvaluationEpochs());
        Assert.Equal([3, 6, 7], (c with { Epochs = 7, EvalEvery = 3 }).EvaluationEpochs());
    }

    public static TheoryData<ExperimentConfig, string> Invalid => new()
    {
        { new ExperimentConfig { Folds = 1 }, "folds = 1" },
        { new ExperimentConfig { Epochs = 0 }, "epochs = 0" },
        { new ExperimentConfig { ImportanceSamples = 0 }, "is-samples = 0" },
        { new ExperimentConfig { Dataset = "cifar100" }, "dataset = cifar100" },
        { new ExperimentConfig { Model = "gan" }, "model = gan" },
        { new ExperimentConfig { LearningRate = double.NaN }, "learning-rate = NaN" },
        { new ExperimentConfig { LearningRate = -1 }, "learning-rate = -1" },
        { new ExperimentConfig { Repeats = 0 }, "repeats = 0" },
        { new ExperimentConfig { Limit = 1 }, "limit = 1" },
        { new ExperimentConfig { TrainBinarization = "sometimes" }, "train-binarization = sometimes" },
        { new ExperimentConfig { Seed = -5 }, "seed = -5" },
        { new ExperimentConfig { BatchSize = 0 }, "batch-size = 0" },
        { new ExperimentConfig { InModels = 0 }, "in-models = 0" },
        { new ExperimentConfig { Folds = 5, Repeats = 2, InModels = 9 }, "in-models = 9: expected absent (all in-models) or an integer in 1..8" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_values_are_named_in_the_error(ExperimentConfig config, string expected)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Validate(config));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Folds_cannot_exceed_examples()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.ValidateAgainstData(new ExperimentConfig { Folds = 20, Limit = 10 }, 100));
        Assert.Contains("folds = 20", error.Message);
        Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.ValidateAgainstData(new ExperimentConfig { Limit = 200 }, 100));
    }

    [Fact]
    public void Json_round_trips_with_kebab_case_fields()
    {
        using var dir = new TempDirectory();
        var c = new ExperimentConfig { Folds = 3, LearningRate = 1e-4, Limit = 500, Threads = 1 };
        File.WriteAllText(dir["c.json"], c.ToJson());
        Assert.Contains("\"learning-rate\": 0.0001", c.ToJson());
        Assert.Equal(c, ExperimentConfig.FromJsonFile(dir["c.json"]));
    }

    [Theory]
    [InlineData("{\"foldz\": 3}", "foldz")]
    [InlineData("{\"folds\": \"three\"}", "folds")]
    [InlineData("{\"learning-rate\": NaN}", "learning-rate")]
    [InlineData("[1, 2]", "invalid config")]
    [InlineData("{", "invalid config")]
    public void Bad_json_is_refused_naming_file_and_field(string json, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["c.json"], json);
        var error = Assert.Throws<InvalidInputException>(() => ExperimentConfig.FromJsonFile(dir["c.json"]));
        Assert.Contains(dir["c.json"], error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Diff_lists_changed_fields()
    {
        var a = new ExperimentConfig { Threads = 1 };
        var diff = (a with { Epochs = 3, Seed = 1 }).DiffAgainst(a);
        Assert.Equal(2, diff.Count);
        Assert.Contains("epochs: 60 -> 3", diff);
        Assert.Contains("seed: 42 -> 1", diff);
    }

    [Fact]
    public void In_models_is_left_out_of_the_json_when_absent_and_hashed_when_set()
    {
        using var dir = new TempDirectory();
        var all = new ExperimentConfig { Threads = 1 };
        Assert.DoesNotContain("in-models", all.ToJson());   // configs without it keep their hash
        var subset = all with { InModels = 4 };
        Validate(subset);
        Assert.Contains("\"in-models\": 4", subset.ToJson());
        Assert.NotEqual(all.Hash(), subset.Hash());
        Assert.NotEqual(subset.Hash(), (all with { InModels = 3 }).Hash());
        File.WriteAllText(dir["c.json"], subset.ToJson());
        Assert.Equal(subset, ExperimentConfig.FromJsonFile(dir["c.json"]));
        Assert.Equal(["in-models: (absent) -> 4"], subset.DiffAgainst(all));
        Assert.Equal(["in-models: 4 -> (absent)"], all.DiffAgainst(subset));
    }
}
