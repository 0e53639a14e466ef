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
internal sealed record RunManifest(
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
    InputKind Input = InputKind.Binary,
    int Scheme = ResultsScheme.Current)
{
    public static RunManifest Create(ExperimentConfig config, string datasetHash, int examples, long[] imageShape, InputKind input) => new(
        config, config.Hash(), datasetHash, examples, imageShape,
        VersionOf(typeof(RunManifest).Assembly),
        VersionOf(typeof(TorchSharp.torch).Assembly),
        LibTorchVersion: "2.10.0",
        Device: ComputeDevice.NameOf(ComputeDevice.Resolve(config.Device)),
        CreatedUtc: DateTimeOffset.UtcNow,
        Input: input,
        Scheme: ModelRegistry.ResultsSchemeOf(config.Model));

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
            ["results_scheme"] = Scheme,
        };
        if (Config.IsPrivate()) root["privacy"] = Training.Privacy.DpSgdPlan.ForFoldModels(Config, Examples).ToJson();
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Reads run.json and checks it against its own config_hash: a hand-edited config (or hash) is refused
    /// (exit 4), since the folder's results belong to the recorded hash. With <paramref name="intended"/> (the
    /// config of the command at hand) the message lists the edited fields where that config tells them.
    /// A consistent run.json of another results scheme (<see cref="ResultsScheme"/>) is refused (exit 4)
    /// with a message naming both schemes.
    /// </summary>
    public static RunManifest Read(string path, ExperimentConfig? intended = null)
    {
        var manifest = Parse(path);
        string actual = manifest.Config.Hash(manifest.Scheme);
        if (actual == manifest.ConfigHash)
            return manifest.Scheme == ModelRegistry.ResultsSchemeOf(manifest.Config.Model) ? manifest
                : throw ResultsScheme.Refusal(path, manifest.Scheme, expected: ModelRegistry.ResultsSchemeOf(manifest.Config.Model));
        string detail =
            intended is not null && intended.Hash(manifest.Scheme) == manifest.ConfigHash
                ? $"fields edited: {string.Join("; ", manifest.Config.DiffAgainst(intended))}"
            : intended is not null && intended.Hash(manifest.Scheme) == actual
                ? $"its config equals this command's, so config_hash itself was changed (from {actual})"
            : "which fields changed cannot be told from the file alone (rerun with the flags that made the run to see them)";
        throw new MemScoreException(ErrorKind.RunFolder,
            $"{path}: was edited by hand: config_hash is {manifest.ConfigHash} but the config in it hashes to {actual}; {detail}. " +
            "Its results were made with the original config: restore run.json, or use a new --out for another config");
    }

    /// <summary>results_scheme of a run.json or full.json: absent = made before schemes were recorded (1).</summary>
    public static int SchemeOf(JsonObject root, string path)
    {
        if (root["results_scheme"] is not JsonNode node) return ResultsScheme.Unrecorded;
        int scheme = node.GetValue<int>();
        return scheme >= ResultsScheme.Unrecorded ? scheme : throw new InvalidInputException(path, $"results_scheme = {scheme}: expected an integer >= 1");
    }

    static RunManifest Parse(string path)
    {
        try
        {
            var root = JsonNode.Parse(InputFile.ReadAllText(path, ErrorKind.RunFolder, "a run manifest (JSON)"))?.AsObject() ?? throw new JsonException("not an object");
            // Through the config reader: folders made before model-options spell the DC-VAE options as top-level fields.
            var config = ExperimentConfig.FromJson(root["config"]?.ToJsonString() ?? throw new JsonException("missing 'config'"), path);
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
                InputKindNames.Parse(root["input_kind"]?.GetValue<string>() ?? "binary", path),
                SchemeOf(root, path));
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidInputException(path, $"unreadable run manifest: {e.Message}", e);
        }
    }
}
