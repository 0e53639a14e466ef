using System.Text;
using MemScore.Core;

namespace MemScore.Configuration;

/// <summary>One lever of a sweep: a flag name (without dashes) and the values it takes; a null value means "flag absent".</summary>
internal sealed record SweepAxis(string Key, IReadOnlyList<string?> Values)
{
    /// <summary>Values that stand for "leave the flag out" (the default setting, e.g. no DP: dp-epsilon=inf).</summary>
    public static readonly IReadOnlySet<string> AbsentWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "inf", "none" };
}

/// <summary>One setting of a sweep: a readable name (its folder) and the value of every axis (null: flag absent).</summary>
internal sealed record SweepPoint(string Name, IReadOnlyList<KeyValuePair<string, string?>> Settings)
{
    public string Describe() => string.Join(", ", Settings.Select(s => $"{s.Key}={s.Value ?? "none"}"));
}

/// <summary>The cartesian product of the --vary axes, in the order given (the last axis varies fastest).</summary>
internal static class SweepGrid
{
    /// <summary>Parses one --vary text KEY=V1,V2,... ("inf" and "none" mean the flag is left out).</summary>
    public static SweepAxis ParseAxis(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.IndexOf('=');
        string key = equals < 0 ? text : text[..equals].Trim().TrimStart('-');
        if (equals <= 0 || key.Length == 0)
            throw new InvalidConfigurationException($"vary = '{text}': expected KEY=V1,V2,... with KEY a flag of `memscore run` or `full` (e.g. weight-decay=0,1e-3)");
        var values = text[(equals + 1)..].Split(',').Select(v => v.Trim()).ToArray();
        if (values.Any(v => v.Length == 0))
            throw new InvalidConfigurationException($"vary = '{text}': an empty value; separate the values of {key} with single commas");
        if (values.Distinct(StringComparer.Ordinal).Count() != values.Length)
            throw new InvalidConfigurationException($"vary = '{text}': a value of {key} is listed twice");
        return new SweepAxis(key, values.Select(v => AbsentWordOrValue(v)).ToArray());
    }

    static string? AbsentWordOrValue(string value) => SweepAxis.AbsentWords.Contains(value) ? null : value;

    public static IReadOnlyList<SweepAxis> ParseAxes(IEnumerable<string> texts)
    {
        var axes = texts.Select(ParseAxis).ToArray();
        if (axes.Length == 0) throw new InvalidConfigurationException("vary: no lever given; add --vary KEY=V1,V2,... (e.g. --vary weight-decay=0,1)");
        var repeated = axes.GroupBy(a => a.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 && g.Key != "model-option");
        if (repeated is not null) throw new InvalidConfigurationException($"vary = {repeated.Key}: given twice; list all its values in one --vary");
        return axes;
    }

    /// <summary>Every combination of the axes' values, named like weight-decay-1e-3_epochs-10 (unique, file-name safe).</summary>
    public static IReadOnlyList<SweepPoint> Points(IReadOnlyList<SweepAxis> axes)
    {
        IEnumerable<KeyValuePair<string, string?>[]> combos = [[]];
        foreach (var axis in axes)
            combos = combos.SelectMany(c => axis.Values.Select(v => (KeyValuePair<string, string?>[])[.. c, new(axis.Key, v)]));
        var points = combos.Select(c => new SweepPoint(NameOf(c), c)).ToArray();
        var clash = points.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new InvalidConfigurationException($"vary: the settings {string.Join(" and ", clash.Select(p => $"'{p.Describe()}'"))} share the folder name {clash.Key}; use values that differ in letters or digits");
        return points;
    }

    static string NameOf(IEnumerable<KeyValuePair<string, string?>> settings) =>
        string.Join("_", settings.Select(s => $"{Safe(s.Key)}-{Safe(s.Value ?? "none")}"));

    /// <summary>Letters, digits, '.', '+' and '-' kept; anything else (=, /, spaces) becomes '-'.</summary>
    static string Safe(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-' ? c : '-');
        return sb.ToString();
    }
}
