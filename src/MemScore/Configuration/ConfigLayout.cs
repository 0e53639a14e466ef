using System.Text.Json.Nodes;
using MemScore.Core;

namespace MemScore.Configuration;

/// <summary>
/// How a config is spelled when it is hashed: versioned so that adding "model-options" to the config
/// changed no existing hash, and every run folder made before keeps matching its task files (it can be
/// read and resumed). Not a results scheme: the layouts change spellings, not results.
/// </summary>
/// <remarks>
/// 1 (Flat): the JSON exactly as MemScore wrote it before model-options existed: no "model-options"; the
///   two options of that time, "feature-maps" and "mixture-components", as top-level fields written only
///   when set. Every config whose model options are among those two is hashed so (hash unchanged).
/// 2 (ModelOptions): any other model option: "memscore-config-layout 2\n" followed by the JSON with its
///   "model-options" object (the line keeps the two layouts' hashes apart by construction).
/// </remarks>
internal static class ConfigLayout
{
    public const int Flat = 1;
    public const int ModelOptions = 2;

    /// <summary>The model options that were top-level fields in the flat layout (in its field order); config files may still spell them so.</summary>
    public static readonly IReadOnlyList<string> FlatModelOptions = ["feature-maps", "mixture-components"];

    /// <summary>The layout <paramref name="config"/> is hashed in: flat whenever it can be spelled so.</summary>
    public static int Of(ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ModelOptions.Keys.All(FlatModelOptions.Contains) ? Flat : ModelOptions;
    }

    /// <summary>The text hashed for <paramref name="config"/> (before the results-scheme line).</summary>
    internal static string HashedText(ExperimentConfig config)
    {
        if (Of(config) == ModelOptions) return $"memscore-config-layout {ModelOptions}\n{config.ToJson()}";
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        json.Remove("model-options");
        foreach (string key in FlatModelOptions)
            if (config.ModelOptions.Get(key) is JsonNode value) json[key] = value;
        return json.ToJsonString(ExperimentConfig.JsonOptions);
    }

    /// <summary>
    /// Moves the flat spellings ("feature-maps": 16 at the top level, as configs and run.json files made before
    /// model-options have them) of a config being read into "model-options"; null meant the default then and is
    /// dropped. Both spellings with different values are refused, naming both.
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
