using System.Reflection;
using System.Text.RegularExpressions;
using MemScore.Cli.Commands;
using MemScore.Tests.Support;
using Spectre.Console.Cli;

namespace MemScore.Tests.Cli;

/// <summary>
/// Each verb takes exactly the flags of its settings class: every flag is in the verb's --help and on
/// the verb's line of README.md, README lists no flag the verb does not take, and a flag of another
/// verb is refused naming flag and verb (exit 2) before anything is written.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class VerbOptionsTests
{
    /// <summary>Verb as typed, its command class, and the start of its line in README.md.</summary>
    static readonly (string Verb, Type Command, string ReadmeLine)[] Verbs =
    [
        ("run", typeof(RunCommand), "- `memscore run`:"),
        ("plan", typeof(PlanCommand), "- `memscore plan`:"),
        ("full", typeof(FullCommand), "- `memscore full`:"),
        ("task", typeof(TaskCommand), "- `memscore task RUN`:"),
        ("aggregate", typeof(AggregateCommand), "- `memscore aggregate RUN`:"),
        ("report", typeof(ReportCommand), "- `memscore report RUN`:"),
        ("status", typeof(StatusCommand), "- `memscore status RUN`:"),
        ("slurm submit", typeof(SlurmSubmitCommand), "- `memscore slurm submit RUN`:"),
        ("slurm resubmit", typeof(SlurmSubmitCommand), "- `memscore slurm resubmit RUN`:"),
        ("compare", typeof(CompareCommand), "- `memscore compare RUN_A RUN_B ...`:"),
        ("bench", typeof(BenchCommand), "- `memscore bench`:"),
        ("sweep", typeof(SweepCommand), "- `memscore sweep`:"),
    ];

    /// <summary>Parse-only twins of run and full inside `memscore sweep` (it checks every point's flags before writing): no verb of their own.</summary>
    static bool IsSweepCheck(Type command) => command.DeclaringType?.Name == "SweepCheck";

    static readonly Assembly Cli = typeof(RunCommand).Assembly;

    static Type SettingsOf(Type command) => command.BaseType!.GetGenericArguments().Single();

    static string[] LongNames(Type settings) =>
        settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(o => o is not null)
            .SelectMany(o => o!.LongNames.Select(n => "--" + n))
            .ToArray();

    static bool MentionsFlag(string text, string flag) => Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(flag)}(?![\w-])");

    public static TheoryData<string> VerbNames() => new(Verbs.Select(v => v.Verb));

    [Fact]
    public void Every_command_and_settings_class_is_covered_by_the_verb_table()
    {
        var commands = Cli.GetTypes().Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(Command<>));
        Assert.Empty(commands.Where(c => !IsSweepCheck(c)).Except(Verbs.Select(v => v.Command)));
        // A settings class no verb uses (directly or as a base) would hold flags nobody can type.
        var reachable = Verbs.SelectMany(v => Ancestry(SettingsOf(v.Command))).ToHashSet();
        var settingsClasses = Cli.GetTypes().Where(t => t.IsSubclassOf(typeof(CommandSettings)));
        Assert.Empty(settingsClasses.Where(t => !reachable.Contains(t)));
    }

    static IEnumerable<Type> Ancestry(Type settings)
    {
        for (var t = settings; t != typeof(CommandSettings); t = t.BaseType!) yield return t;
    }

    [Theory]
    [MemberData(nameof(VerbNames))]
    public void Every_flag_of_the_verb_is_in_its_help_and_on_its_readme_line_and_no_other(string verb)
    {
        var (_, command, readmeStart) = Verbs.Single(v => v.Verb == verb);
        string[] flags = LongNames(SettingsOf(command));
        var help = CliProcess.Run([.. verb.Split(' '), "--help"]);
        Assert.True(help.ExitCode == 0, help.StdErr);
        Assert.Empty(flags.Where(f => !MentionsFlag(help.StdOut, f)));

        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        string line = Assert.Single(readme.Split('\n'), l => l.StartsWith(readmeStart, StringComparison.Ordinal));
        Assert.Empty(flags.Where(f => !MentionsFlag(line, f)));
        var listed = Regex.Matches(line, @"(?<![\w-])--[a-z][a-z-]*").Select(m => m.Value);
        Assert.Empty(listed.Except(flags));
    }

    [Theory]
    [InlineData("full", "--budget")]
    [InlineData("full", "--top", "3")]
    [InlineData("full", "--folds", "2")]
    [InlineData("full", "--repeats", "2")]
    [InlineData("full", "--fold-ensembles")]
    [InlineData("full", "--in-models", "2")]
    [InlineData("plan", "--budget")]
    [InlineData("plan", "--top", "1")]
    [InlineData("status", "--folds", "2")]
    [InlineData("status", "--cache-dir", "cache")]
    public void A_flag_of_another_verb_is_refused_naming_flag_and_verb(string verb, params string[] flag)
    {
        using var dir = new TempDirectory();
        string[] where = verb == "status" ? [dir["out"]] : ["--out", dir["out"]];
        var result = CliProcess.Run([verb, .. where, .. flag]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{flag[0]} does not apply to `memscore {verb}`", result.StdErr);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public void A_flag_no_verb_takes_is_refused_naming_it()
    {
        var result = CliProcess.Run("run", "--no-such-flag");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--no-such-flag is not an option of `memscore run`", result.StdErr);
    }

    [Fact]
    public void Task_takes_the_run_folder_as_RUN_and_still_as_the_deprecated_run_flag()
    {
        using var dir = new TempDirectory();
        var plan = CliProcess.Run("plan", "--limit", "40", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "2", "--threads", "1", "--out", dir["run"]);
        Assert.True(plan.ExitCode == 0, plan.StdErr);
        var positional = CliProcess.Run("task", dir["run"], "--index", "0");
        Assert.True(positional.ExitCode == 0, positional.StdErr);
        Assert.Contains("task 0 (repeat 0, fold 0): done", positional.StdOut);
        var deprecated = CliProcess.Run("task", "--run", dir["run"], "--index", "1");
        Assert.True(deprecated.ExitCode == 0, deprecated.StdErr);
        Assert.Contains("task 1 (repeat 0, fold 1): done", deprecated.StdOut);

        var both = CliProcess.Run("task", dir["run"], "--run", dir["run"], "--index", "0");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give the run folder once", both.StdErr);
        var neither = CliProcess.Run("task", "--index", "0");
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("run: expected RUN", neither.StdErr);
    }
}
