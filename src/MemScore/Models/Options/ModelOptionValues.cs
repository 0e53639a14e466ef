using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MemScore.Core;

namespace MemScore.Models;

/// <summary>
/// The "model-options" object of a config: option key -> value (a number, a string or true/false), as
/// given, ordered by key. Values are kept in a canonical JSON spelling (integers as integers, other
/// numbers in their shortest round-trip form) so that the config file and `--model-option key=value`
/// give the same config hash. What the keys mean is the family's business (<see cref="IModelOptionSchema"/>).
/// </summary>
[JsonConverter(typeof(ModelOptionValuesConverter))]
public sealed class ModelOptionValues : IEquatable<ModelOptionValues>
{
    readonly SortedDictionary<string, string> _canonical;   // key -> canonical JSON text of the value

    ModelOptionValues(SortedDictionary<string, string> canonical) => _canonical = canonical;

    public static readonly ModelOptionValues Empty = new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    public int Count => _canonical.Count;
    public IEnumerable<string> Keys => _canonical.Keys;
    public bool Contains(string key) => _canonical.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/> (a fresh node), or null when the key is not set.</summary>
    public JsonNode? Get(string key) => _canonical.TryGetValue(key, out string? text) ? JsonNode.Parse(text) : null;

    /// <summary>The value as written in messages (its JSON text), or null when not set.</summary>
    public string? TextOf(string key) => _canonical.GetValueOrDefault(key);

    /// <summary>A copy with <paramref name="key"/> set; the value must be a JSON number, string or boolean.</summary>
    public ModelOptionValues With(string key, JsonNode? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var copy = new SortedDictionary<string, string>(_canonical, StringComparer.Ordinal) { [key] = Canonical(key, value) };
        return new ModelOptionValues(copy);
    }

    /// <summary>From a JSON object; a value that is not a number, string or boolean is an error naming the key.</summary>
    public static ModelOptionValues FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var values = Empty;
        foreach (var (key, value) in json)
        {
            if (key.Length == 0) throw new InvalidConfigurationException("model-options: an option name is empty");
            values = values.With(key, value);
        }
        return values;
    }

    /// <summary>
    /// From command-line assignments "key=value" (--model-option, repeatable; a later one for the same key wins).
    /// The value is read as JSON when it is a number, true/false or a quoted string ("007" stays text), else as plain text,
    /// so `path=weights/model.pt` and `scales=3` both mean what they say.
    /// </summary>
    public ModelOptionValues WithAssignments(IEnumerable<string> assignments, string flag = "--model-option")
    {
        ArgumentNullException.ThrowIfNull(assignments);
        var values = this;
        foreach (string assignment in assignments)
        {
            int equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new InvalidConfigurationException($"{flag} {assignment}: expected KEY=VALUE (for example {flag} feature-maps=16)");
            values = values.With(assignment[..equals].Trim(), FromCommandLine(assignment[(equals + 1)..]));
        }
        return values;
    }

    static JsonNode FromCommandLine(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonValue value && value.GetValueKind() is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False)
                return value;
        }
        catch (JsonException) { }
        return JsonValue.Create(text);
    }

    static string Canonical(string key, JsonNode? value)
    {
        var kind = value?.GetValueKind();
        return kind switch
        {
            JsonValueKind.Number => CanonicalNumber(key, value!),
            JsonValueKind.String or JsonValueKind.True or JsonValueKind.False => value!.ToJsonString(),
            _ => throw new InvalidConfigurationException(
                $"model-options.{key} = {value?.ToJsonString() ?? "null"}: expected a number, a string or true/false (leave the option out for its default)"),
        };
    }

    static string CanonicalNumber(string key, JsonNode value)
    {
        using var parsed = JsonDocument.Parse(value.ToJsonString());   // a node built from a C# number has no JsonElement behind it
        var element = parsed.RootElement;
        if (element.TryGetInt64(out long integer)) return integer.ToString(CultureInfo.InvariantCulture);
        double number = element.GetDouble();
        if (!double.IsFinite(number)) throw new InvalidConfigurationException($"model-options.{key} = {value.ToJsonString()}: expected a finite number");
        return number == Math.Floor(number) && Math.Abs(number) < 1e15
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : JsonSerializer.Serialize(number);
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (key, text) in _canonical) json[key] = JsonNode.Parse(text);
        return json;
    }

    public override string ToString() => string.Join(", ", _canonical.Select(kv => $"{kv.Key}={kv.Value}"));

    public bool Equals(ModelOptionValues? other) => other is not null && _canonical.SequenceEqual(other._canonical);
    public override bool Equals(object? obj) => Equals(obj as ModelOptionValues);
    public override int GetHashCode() => _canonical.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value));
}

/// <summary>Reads and writes <see cref="ModelOptionValues"/> as a JSON object; a bad value is a JsonException naming the key.</summary>
internal sealed class ModelOptionValuesConverter : JsonConverter<ModelOptionValues>
{
    public override ModelOptionValues Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("model-options must be a JSON object of option names and values, e.g. {\"feature-maps\": 16}");
        var json = JsonNode.Parse(ref reader)!.AsObject();
        try { return ModelOptionValues.FromJson(json); }
        catch (InvalidConfigurationException e) { throw new JsonException(e.Message, e); }
        catch (ArgumentException e) { throw new JsonException($"model-options: {e.Message}", e); }   // a name given twice
    }

    public override void Write(Utf8JsonWriter writer, ModelOptionValues value, JsonSerializerOptions options) =>
        value.ToJson().WriteTo(writer, options);
}
