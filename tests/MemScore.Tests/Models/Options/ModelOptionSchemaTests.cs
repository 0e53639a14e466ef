using System.Text.Json.Nodes;
using MemScore.Core;
using MemScore.Models;
using MemScore.Tests.Support;

namespace MemScore.Tests.Models.Options;

/// <summary>Option values: one canonical spelling from the config file and the command line; typed binding with messages naming option, value and expectation.</summary>
public class ModelOptionSchemaTests
{
    sealed record FileOptions(string? Path = null, double Scale = 0.5);

    static readonly ModelOptionSchema<FileOptions> Schema = new ModelOptionSchema<FileOptions>(new())
        .ExistingFile("path", "the weights", o => o.Path, (o, v) => o with { Path = v })
        .Number("scale", "a factor", o => o.Scale, (o, v) => o with { Scale = v }, v => v > 0 && v <= 1, "a number in (0, 1]");

    [Theory]
    [InlineData("16", "16")]
    [InlineData("16.0", "16")]
    [InlineData("1e-3", "0.001")]
    [InlineData("0.001", "0.001")]
    [InlineData("true", "true")]
    [InlineData("weights/model.pt", "\"weights/model.pt\"")]
    [InlineData("\"007\"", "\"007\"")]
    [InlineData("007", "\"007\"")]
    [InlineData("[1, 2]", "\"[1, 2]\"")]
    public void Command_line_values_get_one_canonical_spelling(string value, string canonical)
    {
        Assert.Equal(canonical, ModelOptionValues.Empty.WithAssignments([$"k={value}"]).TextOf("k"));
    }

    [Fact]
    public void The_config_file_and_the_command_line_give_equal_values_in_key_order()
    {
        var fromJson = ModelOptionValues.FromJson(JsonNode.Parse("""{ "scale": 1e-1, "path": "a.pt" }""")!.AsObject());
        var fromFlags = ModelOptionValues.Empty.WithAssignments(["path=a.pt", "scale=0.1"]);
        Assert.Equal(fromJson, fromFlags);
        Assert.Equal("""{"path":"a.pt","scale":0.1}""", fromFlags.ToJson().ToJsonString());
    }

    [Theory]
    [InlineData("""{ "k": null }""", "model-options.k = null: expected a number, a string or true/false")]
    [InlineData("""{ "k": [1] }""", "model-options.k = [1]: expected a number, a string or true/false")]
    public void Null_and_structured_values_are_refused_naming_the_key(string json, string message)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => ModelOptionValues.FromJson(JsonNode.Parse(json)!.AsObject()));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_required_file_option_must_be_given_and_exist()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["model.pt"], "weights");
        var missing = Schema.Problems(ModelOptionValues.Empty, "scripted");
        Assert.Contains(missing, p => p.StartsWith("model-options.path: required by model scripted: expected the path of an existing file", StringComparison.Ordinal));
        var absent = Schema.Problems(ModelOptionValues.Empty.WithAssignments([$"path={dir["nope.pt"]}"]), "scripted");
        Assert.Contains(absent, p => p.Contains("nope.pt\": expected the path of an existing file", StringComparison.Ordinal));
        var bound = Schema.Bind(ModelOptionValues.Empty.WithAssignments([$"path={dir["model.pt"]}", "scale=1"]), "scripted");
        Assert.Equal(new FileOptions(dir["model.pt"], 1.0), bound);
        Assert.Equal([null, "0.5"], Schema.All.Select(o => o.Default));
    }

    [Fact]
    public void Binding_lists_every_problem_at_once()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Schema.Bind(ModelOptionValues.Empty.WithAssignments(["scale=2", "size=3"]), "scripted"));
        Assert.Contains("model-options.size = 3: unknown option; the options of model scripted are path, scale", error.Message);
        Assert.Contains("model-options.scale = 2: expected a number in (0, 1]", error.Message);
        Assert.Contains("model-options.path: required by model scripted", error.Message);
    }
}
