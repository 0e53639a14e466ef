using System.Text.RegularExpressions;
using MemScore.Tests.Support;

namespace MemScore.Tests.Api;

/// <summary>
/// Issue 13 item 6: the library takes its configuration from its caller. No file of src/MemScore reads or sets
/// environment variables or uses the console, and only Core/TorchThreads.cs sets libtorch's thread count.
/// A source scan (comments skipped) that names file:line of every offence.
/// </summary>
public partial class LibraryBoundaryTests
{
    [GeneratedRegex(@"\bEnvironment\s*\.\s*(GetEnvironmentVariables?|SetEnvironmentVariable|ExpandEnvironmentVariables)\b|\bConsole\s*\.|\busing\s+static\s+System\.Console\b")]
    private static partial Regex HostAccess();

    [GeneratedRegex(@"\bset_num_threads\s*\(")]
    private static partial Regex ThreadSetting();

    const string ThreadSetter = "Core/TorchThreads.cs";

    /// <summary>"path:line: text" for each non-comment line of <paramref name="text"/> that <paramref name="rule"/> matches.</summary>
    internal static IEnumerable<string> Offences(string path, string text, Regex rule) =>
        text.Split('\n').Select((line, i) => (Line: line.Trim(), Number: i + 1))
            .Where(l => !l.Line.StartsWith("//", StringComparison.Ordinal) && !l.Line.StartsWith('*') && rule.IsMatch(l.Line))
            .Select(l => $"{path}:{l.Number}: {l.Line}");

    static List<string> Scan(Regex rule, Func<string, bool> applies)
    {
        string library = Path.Combine(RepositoryFiles.Root(), "src", "MemScore");
        return [.. RepositoryFiles.Sources(Path.Combine("src", "MemScore"))
            .Select(f => (Path: Path.GetRelativePath(library, f).Replace('\\', '/'), File: f))
            .Where(f => applies(f.Path))
            .SelectMany(f => Offences(f.Path, File.ReadAllText(f.File), rule))];
    }

    [Fact]
    public void The_library_reads_no_environment_variable_and_uses_no_console()
    {
        var offences = Scan(HostAccess(), _ => true);
        Assert.True(offences.Count == 0, "pass these values in from the CLI (src/MemScore.Cli/CliEnvironment.cs) instead:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void Only_TorchThreads_sets_the_thread_count()
    {
        var offences = Scan(ThreadSetting(), path => path != ThreadSetter);
        Assert.True(offences.Count == 0, $"call TorchThreads.Use instead:\n" + string.Join("\n", offences));
        Assert.Single(Scan(ThreadSetting(), path => path == ThreadSetter));
    }

    [Fact]
    public void The_scan_names_file_and_line_of_an_offence_and_skips_comments()
    {
        const string text = "namespace X;\n// Console.WriteLine in a comment\nclass A { string? B = Environment.GetEnvironmentVariable(\"HOME\"); }\nclass C { void D() => Console.Error.WriteLine(); }\n";
        Assert.Equal(["Data/A.cs:3: class A { string? B = Environment.GetEnvironmentVariable(\"HOME\"); }", "Data/A.cs:4: class C { void D() => Console.Error.WriteLine(); }"],
            Offences("Data/A.cs", text, HostAccess()));
    }
}
