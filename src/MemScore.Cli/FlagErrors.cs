using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using MemScore.Core;
using Spectre.Console.Cli;

namespace MemScore.Cli;

/// <summary>
/// Flag values Spectre.Console.Cli cannot bind, said in one line naming the flag, the value and what
/// was expected. Spectre reports a failed conversion as "Failed to convert '2147483648' to
/// Nullable`1" (neither flag nor type), and in strict parsing a flag given without its value is
/// parsed by inserting its marker "__default_command" as the value (so `run --out` wrote to a folder
/// of that name). Numbers are parsed with the invariant culture: '.' is the decimal point, and
/// thousands separators and hex are refused.
/// </summary>
static partial class FlagErrors
{
    /// <summary>What Spectre's strict parser puts where a value is missing.</summary>
    public const string MissingValueMarker = "__default_command";

    [GeneratedRegex("^Failed to convert '(?<value>.*)' to ", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex("^Unknown option '(?<name>[^']*)'")]
    private static partial Regex UnknownOption();

    /// <summary>Every flag of every command's settings, by each of its names (--name, -n), with the property it sets.</summary>
    static readonly Lazy<Dictionary<string, PropertyInfo>> Flags = new(() =>
    {
        var flags = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var type in typeof(FlagErrors).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(CommandSettings))))
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (property.GetCustomAttribute<CommandOptionAttribute>() is { } option)
                {
                    foreach (string name in option.LongNames) flags.TryAdd("--" + name, property);
                    foreach (string name in option.ShortNames) flags.TryAdd("-" + name, property);
                }
        return flags;
    });

    /// <summary>The one-line message for a conversion failure of Spectre, or null when <paramref name="e"/> is another error.</summary>
    public static string? Describe(CommandAppException e, IReadOnlyList<string> args)
    {
        if (UnknownOption().Match(e.Message) is { Success: true } unknown) return NotAnOptionOfVerb(unknown.Groups["name"].Value, args);
        var match = ConversionFailure().Match(e.Message);
        if (!match.Success) return null;
        string value = match.Groups["value"].Value;
        if (value == MissingValueMarker && !args.Contains(MissingValueMarker)) return MissingValue(args);
        for (int i = 0; i < args.Count; i++)
        {
            var (flag, inline) = Split(args[i]);
            if (!Flags.Value.TryGetValue(flag, out var property)) continue;
            if (inline == value || (inline is null && i + 1 < args.Count && args[i + 1] == value))
                return $"{flag} = {Quote(value)}: expected {Expected(property)}";
        }
        return null;
    }

    /// <summary>A flag the verb does not take (strict parsing): named with the verb, whether or not another verb takes it.</summary>
    static string NotAnOptionOfVerb(string name, IReadOnlyList<string> args)
    {
        string flag = (name.Length == 1 ? "-" : "--") + name;
        string verb = args.Count > 1 && args[0] == "slurm" && !args[1].StartsWith('-') ? $"slurm {args[1]}" : args.Count > 0 ? args[0] : "";
        string what = Flags.Value.ContainsKey(flag) ? "does not apply to" : "is not an option of";
        return $"{flag} {what} `memscore {verb}`";
    }

    /// <summary>The first flag that takes a value but is followed by nothing or by another flag.</summary>
    static string? MissingValue(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            var (flag, inline) = Split(args[i]);
            if (inline is not null || !Flags.Value.TryGetValue(flag, out var property) || IsSwitch(property.PropertyType)) continue;
            if (i + 1 == args.Count || Flags.Value.ContainsKey(Split(args[i + 1]).Flag))
                return MissingValueMessage(flag, property);
        }
        return null;
    }

    static string MissingValueMessage(string flag, PropertyInfo property) => $"{flag}: expected a value after the flag ({Expected(property)})";

    static (string Flag, string? Inline) Split(string arg)
    {
        if (!arg.StartsWith('-')) return (arg, null);
        int at = arg.IndexOfAny(['=', ':']);
        return at < 0 ? (arg, null) : (arg[..at], arg[(at + 1)..]);
    }

    static bool IsSwitch(Type type) => (Nullable.GetUnderlyingType(type) ?? type) == typeof(bool);

    static string Quote(string value) => value.Length == 0 ? "''" : value;

    /// <summary>What a flag's value must be: its type's range, or for text its placeholder (DIR, FILE, NAME ...).</summary>
    static string Expected(PropertyInfo property)
    {
        var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (t == typeof(int)) return $"an integer in {int.MinValue.ToString(CultureInfo.InvariantCulture)}..{int.MaxValue.ToString(CultureInfo.InvariantCulture)}";
        if (t == typeof(long)) return $"an integer in {long.MinValue.ToString(CultureInfo.InvariantCulture)}..{long.MaxValue.ToString(CultureInfo.InvariantCulture)}";
        if (t == typeof(double) || t == typeof(float))
            return "a number such as 0.001 or 1e-3 ('.' as decimal point; no thousands separators, no hex)";
        if (t == typeof(bool)) return "true or false";
        string? placeholder = property.GetCustomAttribute<CommandOptionAttribute>()?.ValueName ?? property.GetCustomAttribute<CommandArgumentAttribute>()?.ValueName;
        return placeholder is null ? "a value" : $"a value: {placeholder}";
    }

    /// <summary>
    /// Refuses string flags and arguments that received Spectre's missing-value marker (the user did
    /// not type it), naming the flag; runs after binding, before the command.
    /// </summary>
    public sealed class MissingValueInterceptor(IReadOnlyList<string> args) : ICommandInterceptor
    {
        public void Intercept(CommandContext context, CommandSettings settings)
        {
            if (args.Contains(MissingValueMarker)) return;
            foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetValue(settings) is not string value || value != MissingValueMarker) continue;
                string name = property.GetCustomAttribute<CommandOptionAttribute>() is { } option
                    ? (option.LongNames.Count > 0 ? "--" + option.LongNames[0] : "-" + option.ShortNames[0])
                    : property.GetCustomAttribute<CommandArgumentAttribute>()?.ValueName ?? property.Name;
                throw new InvalidConfigurationException(MissingValueMessage(name, property));
            }
        }
    }
}
