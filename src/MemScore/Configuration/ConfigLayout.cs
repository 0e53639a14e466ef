using System.Text.Json.Nodes;
using MemScore.Core;
using MemScore.Models;

namespace MemScore.Configuration;

/// <summary>
/// How a config is spelled when it is hashed, recorded as <c>config_layout</c> in run.json and full.json
/// (absent = <see cref="Flat"/>). It is not a results scheme: the same settings give the same task files
/// under either layout; a folder keeps the layout it was made with, so its config_hash and the hashes
/// inside its task files keep matching and it can be read and resumed.
/// </summary>
/// <remarks>
/// 1 (Flat): folders made before model-options existed: the DC-VAE options were top-level fields
///   "feature-maps" and "mixture-components", written only when set.
/// 2 (ModelOptions): every family option lives in "model-options", always written (last).
/// </remarks>
public static class ConfigLayout
{
    public const int Flat = 1;
    public const int ModelOptions = 2;
    public const int Current = ModelOptions;

    /// <summary>The model options that were top-level fields in the flat layout (in its field order); config files may still spell them so.</summary>
    public static readonly IReadOnlyList<string> FlatModelOptions = ["feature-maps", "mixture-components"];

    /// <summary>The JSON text hashed for <paramref name="config"/> under its <see cref="ExperimentConfig.Layout"/>.</summary>
    internal static string HashedJson(ExperimentConfig config) => config.Layout switch
    {
        ModelOptions => config.ToJson(),
        Flat => FlatJson(config) ?? throw new InvalidOperationException(
            $"model-options {config.ModelOptions} cannot be spelled in config layout {Flat} (it knew only {string.Join(", ", FlatModelOptions)})"),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Layout, $"config layouts are {Flat}..{Current}"),
    };

    /// <summary>The flat spelling (what MemScore wrote before model-options), or null when an option did not exist then.</summary>
    static string? FlatJson(ExperimentConfig config)
    {
        if (config.ModelOptions.Keys.Any(key => !FlatModelOptions.Contains(key))) return null;
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        json.Remove("model-options");
        foreach (string key in FlatModelOptions)
            if (config.ModelOptions.Get(key) is JsonNode value) json[key] = value;
        return json.ToJsonString(ExperimentConfig.JsonOptions);
    }

    /// <summary>The config hashed under <paramref name="layout"/>, or null when its model options cannot be spelled in it.</summary>
    public static ExperimentConfig? InLayout(this ExperimentConfig config, int layout)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (layout is < Flat or > Current) return null;
        var adopted = config with { Layout = layout };
        return layout == Flat && FlatJson(adopted) is null ? null : adopted;
    }

    /// <summary>config_layout of a run.json or full.json: absent = made before model-options (<see cref="Flat"/>).</summary>
    public static int Of(JsonObject root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root["config_layout"] is not JsonNode node) return Flat;
        int layout = node.GetValue<int>();
        return layout is >= Flat and <= Current ? layout
            : throw new MemScoreException(ErrorKind.RunFolder, $"{path}: config_layout = {layout}: expected {Flat}..{Current} (a later MemScore made it; use that version)");
    }

    /// <summary>
    /// Moves the flat spellings ("feature-maps": 16 at the top) of a config being read into "model-options";
    /// null meant the default then and is dropped. Both spellings with different values are refused, naming both.
    /// </summary>
    internal static bool MoveFlatModelOptions(JsonObject config, string path)
    {
        bool moved = false;
        foreach (string key in FlatModelOptions)
        {
            if (!config.TryGetPropertyValue(key, out var value)) continue;
            config.Remove(key);
            moved = true;
            if (value is null) continue;
            if (config["model-options"] is not JsonObject options)
            {
                if (config.ContainsKey("model-options")) continue;   // not an object: the serializer reports it
                config["model-options"] = options = new JsonObject();
            }
            if (options.TryGetPropertyValue(key, out var other) && !JsonNode.DeepEquals(value, other))
                throw new InvalidInputException(path, $"invalid config: \"{key}\" = {value.ToJsonString()} and \"model-options\": {{\"{key}\": {other?.ToJsonString() ?? "null"}}} " +
                                                      "set the same option to different values; give one of them");
            options[key] = value;
        }
        return moved;
    }
}
