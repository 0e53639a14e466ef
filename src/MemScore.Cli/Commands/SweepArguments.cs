using System.Reflection;
using MemScore.Configuration;
using MemScore.Core;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>
/// Turns the flags given to `memscore sweep` into the flags of each point's `run` and `full`. Which
/// flags exist, and which take a value, is read from the settings classes, so a flag added to
/// `run` or `full` (e.g. --dp-epsilon) can be varied without changes here.
/// </summary>
internal sealed class SweepArguments
{
    /// <summary>Flags of the sweep itself, never passed on.</summary>
    static readonly string[] SweepOwn = ["out", "vary", "slurm", "budget"];
    /// <summary>Flags `memscore full` refuses or ignores (K x L fold models, scoring): passed to run only.</summary>
    static readonly string[] RunOnly = ["folds", "repeats", "workers", "fold-ensembles", "max-repeats", "target-reliability", "in-models", "estimator", "top"];

    /// <summary>Long name (any alias) -> (first long name, takes a value).</summary>
    static readonly Dictionary<string, (string Name, bool TakesValue)> Options = typeof(SweepSettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
        .OfType<CommandOptionAttribute>()
        .SelectMany(a => a.LongNames.Select(n => (Alias: n, Name: a.LongNames[0], TakesValue: !string.IsNullOrEmpty(a.ValueName))))
        .ToDictionary(o => o.Alias, o => (o.Name, o.TakesValue), StringComparer.Ordinal);

    /// <summary>Declared by `full` only (e.g. test-fraction): passed to full only.</summary>
    static readonly HashSet<string> FullOnly = LongNames(typeof(FullSettings), declaredOnly: true).Except(LongNames(typeof(LocalRunSettings), declaredOnly: false))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Declared by `run` only (--budget, --workers, --top, --report, --export-pytorch): not passed to plan.</summary>
    static readonly HashSet<string> LocalRunOnly = LongNames(typeof(LocalRunSettings), declaredOnly: true).ToHashSet(StringComparer.Ordinal);

    static IEnumerable<string> LongNames(Type settings, bool declaredOnly) =>
        settings.GetProperties(BindingFlags.Public | BindingFlags.Instance | (declaredOnly ? BindingFlags.DeclaredOnly : 0))
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames[0]).OfType<string>();

    readonly List<(string Name, string[] Tokens)> _base;
    public IReadOnlyList<SweepAxis> Axes { get; }
    public IReadOnlyList<string> BaseArguments => _base.SelectMany(g => g.Tokens).ToArray();

    /// <param name="commandLine">The whole command line (`sweep` and what follows).</param>
    public SweepArguments(IEnumerable<string> commandLine, IEnumerable<string> varies)
    {
        var all = commandLine.ToArray();
        var tokens = all.Length > 0 && all[0] == "sweep" ? all[1..] : all;
        Axes = SweepGrid.ParseAxes(varies);
        foreach (var axis in Axes)
        {
            if (!Options.TryGetValue(axis.Key, out var option) || SweepOwn.Contains(option.Name))
                throw new InvalidConfigurationException($"vary = {axis.Key}: not a flag of `memscore run` or `memscore full` (see memscore run --help)");
            if (!option.TakesValue && axis.Values.Any(v => v is not null && !bool.TryParse(v, out _)))
                throw new InvalidConfigurationException($"vary = {axis.Key}: --{axis.Key} takes no value; vary it over true,false");
        }
        var varied = Axes.Where(a => a.Key != "model-option").Select(a => Options[a.Key].Name).ToHashSet(StringComparer.Ordinal);
        _base = Group(tokens).Where(g => !SweepOwn.Contains(g.Name) && !varied.Contains(g.Name)).ToList();
    }

    /// <summary>The flags of `memscore run` for <paramref name="point"/>, its folder last.</summary>
    public string[] Run(SweepPoint point, string folder) => Command("run", point, folder, name => !FullOnly.Contains(name));

    /// <summary>The flags of `memscore plan` (a run planned for Slurm): run's, less those only a local run takes.</summary>
    public string[] Plan(SweepPoint point, string folder) => Command("plan", point, folder, name => !FullOnly.Contains(name) && !LocalRunOnly.Contains(name));

    /// <summary>The flags of `memscore full` for <paramref name="point"/>: the run's, less those about fold models.</summary>
    public string[] Full(SweepPoint point, string folder) => Command("full", point, folder, name => !RunOnly.Contains(name));

    string[] Command(string verb, SweepPoint point, string folder, Func<string, bool> applies)
    {
        var varied = point.Settings.Select(s => (Name: Options[s.Key].Name, Tokens: Tokens(s.Key, s.Value)));
        return [verb, .. _base.Concat(varied).Where(g => applies(g.Name)).SelectMany(g => g.Tokens), "--out", folder];
    }

    static string[] Tokens(string key, string? value) =>
        value is null ? []
        : Options[key].TakesValue ? [$"--{key}", value]
        : bool.Parse(value) ? [$"--{key}"] : [];

    /// <summary>The command line as (flag, its tokens); --name=value counts as one token. Unknown tokens are left for the parser, which has refused them already.</summary>
    static IEnumerable<(string Name, string[] Tokens)> Group(string[] tokens)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            string token = tokens[i];
            string alias = token.StartsWith("--", StringComparison.Ordinal) ? token[2..].Split('=')[0] : token;
            if (!Options.TryGetValue(alias, out var option))
            {
                yield return (token, [token]);
                continue;
            }
            bool inline = token.Contains('=');
            yield return option.TakesValue && !inline && i + 1 < tokens.Length ? (option.Name, [token, tokens[++i]]) : (option.Name, [token]);
        }
    }
}
