using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Core;

namespace MemScore.Models;

/// <summary>One option of a family, as `memscore models` lists it.</summary>
/// <param name="Default">The default's JSON text, or null for a required option.</param>
/// <param name="Expected">What a value must be ("an integer in 1..256").</param>
public sealed record ModelOptionInfo(string Key, string? Default, string Expected, string Description);

/// <summary>What a family tells about its options without knowing their record type: listing and validation.</summary>
public interface IModelOptionSchema
{
    IReadOnlyList<ModelOptionInfo> All { get; }

    /// <summary>Every problem of <paramref name="values"/> for <paramref name="family"/>: unknown keys, wrong types, values out of range, missing required options.</summary>
    IReadOnlyList<string> Problems(ModelOptionValues values, string family);
}

/// <summary>
/// A family's options: a record <typeparamref name="TOptions"/> with its defaults, and one entry per
/// option saying its key, meaning, accepted values and how it sets the record. Binding starts from the
/// defaults and applies the keys given; messages name the option, the value and what was expected
/// (model-options.feature-maps = 0: expected an integer in 1..256).
/// </summary>
public sealed class ModelOptionSchema<TOptions>(TOptions defaults) : IModelOptionSchema where TOptions : class
{
    sealed record Entry(ModelOptionInfo Info, bool Required, Func<TOptions, JsonNode, TOptions?> Apply);

    readonly List<Entry> _entries = [];
    readonly List<Func<TOptions, IEnumerable<string>>> _rules = [];

    public TOptions Defaults => defaults;

    public IReadOnlyList<ModelOptionInfo> All => _entries.Select(e => e.Info).ToArray();

    /// <summary>An integer option in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public ModelOptionSchema<TOptions> Integer(string key, string description, Func<TOptions, int> get, Func<TOptions, int, TOptions> set, int min, int max) =>
        Add(key, description, $"an integer in {min}..{max}", Text(get(defaults)), required: false,
            (o, v) => v.GetValueKind() == JsonValueKind.Number && v.GetValue<JsonElement>().TryGetInt32(out int i) && i >= min && i <= max ? set(o, i) : default);

    /// <summary>A number option accepted when <paramref name="accepts"/> holds; <paramref name="expected"/> says which values.</summary>
    public ModelOptionSchema<TOptions> Number(string key, string description, Func<TOptions, double> get, Func<TOptions, double, TOptions> set,
        Func<double, bool> accepts, string expected) =>
        Add(key, description, expected, Text(get(defaults)), required: false,
            (o, v) => v.GetValueKind() == JsonValueKind.Number && v.GetValue<JsonElement>().GetDouble() is double d && double.IsFinite(d) && accepts(d) ? set(o, d) : default);

    /// <summary>
    /// A text option (a file name, a mode); <paramref name="accepts"/> (default: any non-empty text) says which,
    /// <paramref name="expected"/> how to describe them. Without a default (<paramref name="get"/> gives null) it is required.
    /// </summary>
    public ModelOptionSchema<TOptions> String(string key, string description, Func<TOptions, string?> get, Func<TOptions, string, TOptions> set,
        Func<string, bool>? accepts = null, string expected = "a non-empty string")
    {
        string? initial = get(defaults);
        return Add(key, description, expected, initial is null ? null : JsonValue.Create(initial).ToJsonString(), required: initial is null,
            (o, v) => v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } s && (accepts?.Invoke(s) ?? true) ? set(o, s) : default);
    }

    /// <summary>A path to an existing file (checked where the config is validated, before any folder is written); required when it has no default.</summary>
    public ModelOptionSchema<TOptions> ExistingFile(string key, string description, Func<TOptions, string?> get, Func<TOptions, string, TOptions> set) =>
        String(key, description, get, set, File.Exists, "the path of an existing file");

    /// <summary>
    /// A check of the bound options as a whole (several options together, or an option against a file), applied
    /// when every option is valid on its own; <paramref name="problems"/> gives messages naming option and value.
    /// </summary>
    public ModelOptionSchema<TOptions> Rule(Func<TOptions, IEnumerable<string>> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        _rules.Add(problems);
        return this;
    }

    ModelOptionSchema<TOptions> Add(string key, string description, string expected, string? defaultText, bool required, Func<TOptions, JsonNode, TOptions?> apply)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (_entries.Any(e => e.Info.Key == key)) throw new ArgumentException($"option '{key}' declared twice", nameof(key));
        _entries.Add(new Entry(new ModelOptionInfo(key, defaultText, expected, description), required, apply));
        return this;
    }

    public IReadOnlyList<string> Problems(ModelOptionValues values, string family) => TryBind(values, family).Problems;

    /// <summary>The options record for <paramref name="values"/>; any problem is an <see cref="InvalidConfigurationException"/> listing all of them.</summary>
    public TOptions Bind(ModelOptionValues values, string family)
    {
        var (options, problems) = TryBind(values, family);
        return problems.Count == 0 ? options : throw new InvalidConfigurationException(string.Join("; ", problems));
    }

    (TOptions Options, IReadOnlyList<string> Problems) TryBind(ModelOptionValues values, string family)
    {
        ArgumentNullException.ThrowIfNull(values);
        var problems = new List<string>();
        string valid = _entries.Count == 0 ? $"model {family} has no options" : $"the options of model {family} are {string.Join(", ", _entries.Select(e => e.Info.Key))}";
        foreach (string key in values.Keys.Where(k => _entries.All(e => e.Info.Key != k)))
            problems.Add($"model-options.{key} = {values.TextOf(key)}: unknown option; {valid}");
        var options = defaults;
        foreach (var entry in _entries)
        {
            var value = values.Get(entry.Info.Key);
            if (value is null)
            {
                if (entry.Required) problems.Add($"model-options.{entry.Info.Key}: required by model {family}: expected {entry.Info.Expected} ({entry.Info.Description})");
                continue;
            }
            var applied = entry.Apply(options, value);
            if (applied is null) problems.Add($"model-options.{entry.Info.Key} = {value.ToJsonString()}: expected {entry.Info.Expected}");
            else options = applied;
        }
        if (problems.Count == 0) problems.AddRange(_rules.SelectMany(rule => rule(options)));
        return (options, problems);
    }

    static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
    static string Text(double value) => JsonSerializer.Serialize(value);
}

/// <summary>The schema of a family without options: any key is unknown.</summary>
internal static class NoModelOptions
{
    public static readonly ModelOptionSchema<object> Schema = new(new object());
}
