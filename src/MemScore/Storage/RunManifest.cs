using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;

namespace MemScore.Storage;

/// <summary>
/// run.json: the resolved config, its hash, the data's hash and size, tool and library versions,
/// device and thread count. Written before any training so a run folder describes itself.
/// </summary>
public sealed record RunManifest(
    ExperimentConfig Config,
    string ConfigHash,
    string DatasetHash,
    int Examples,
    long[] ImageShape,
    string ToolVersion,
    string TorchSharpVersion,
    string LibTorchVersion,
    string Device,
    DateTimeOffset CreatedUtc,
    string? CacheDirectory = null,
    InputKind Input = InputKind.Binary)
{
    public static RunManifest Create(ExperimentConfig config, string datasetHash, int examples, long[] imageShape, InputKind input) => new(
        config, config.Hash(), datasetHash, examples, imageShape,
        VersionOf(typeof(RunManifest).Assembly),
        VersionOf(typeof(TorchSharp.torch).Assembly),
        LibTorchVersion: "2.10.0",
        Device: ComputeDevice.NameOf(ComputeDevice.Resolve(config.Device)),
        CreatedUtc: DateTimeOffset.UtcNow,
        Input: input);

    static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    public string ToJson()
    {
        var root = new JsonObject
        {
            ["config"] = JsonNode.Parse(Config.ToJson()),
            ["config_hash"] = ConfigHash,
            ["dataset_hash"] = DatasetHash,
            ["examples"] = Examples,
            ["image_shape"] = new JsonArray(ImageShape.Select(v => (JsonNode)v).ToArray()),
            ["versions"] = new JsonObject { ["memscore"] = ToolVersion, ["torchsharp"] = TorchSharpVersion, ["libtorch"] = LibTorchVersion },
            ["device"] = Device,
            ["threads"] = Config.Threads,
            ["created_utc"] = CreatedUtc.ToString("O"),
            ["cache_dir"] = CacheDirectory,
            ["input_kind"] = InputKindNames.ToName(Input),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static RunManifest Read(string path)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException("not an object");
            var config = root["config"]?.Deserialize<ExperimentConfig>(ExperimentConfig.JsonOptions) ?? throw new JsonException("missing 'config'");
            var versions = root["versions"]!.AsObject();
            return new RunManifest(config,
                root["config_hash"]!.GetValue<string>(),
                root["dataset_hash"]!.GetValue<string>(),
                root["examples"]!.GetValue<int>(),
                root["image_shape"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray(),
                versions["memscore"]!.GetValue<string>(),
                versions["torchsharp"]!.GetValue<string>(),
                versions["libtorch"]!.GetValue<string>(),
                root["device"]!.GetValue<string>(),
                DateTimeOffset.Parse(root["created_utc"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
                root["cache_dir"]?.GetValue<string>(),
                InputKindNames.Parse(root["input_kind"]?.GetValue<string>() ?? "binary", path));
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidInputException(path, $"unreadable run manifest: {e.Message}", e);
        }
    }
}
