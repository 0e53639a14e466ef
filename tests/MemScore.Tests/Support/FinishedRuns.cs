using System.Collections.Concurrent;

namespace MemScore.Tests.Support;

/// <summary>
/// Folders made once per test process by the real CLI and copied for every test that damages one: the
/// hostile-input tables need the same few tiny runs dozens of times, and each costs about a second of CPU.
/// A copy behaves as the original (a run folder records no path of its own).
/// </summary>
public static class FinishedRuns
{
    static readonly TempDirectory Root = CreateRoot();
    static readonly ConcurrentDictionary<string, Lazy<string>> Made = new(StringComparer.Ordinal);

    static TempDirectory CreateRoot()
    {
        var root = new TempDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => root.Dispose();
        return root;
    }

    /// <summary>
    /// A fresh copy in <paramref name="destination"/> of the folder that `memscore ARGS --out FOLDER` writes
    /// (its exit code 0 asserted when it is made); returns <paramref name="destination"/>.
    /// </summary>
    public static string CopyTo(string destination, params string[] args)
    {
        string source = Made.GetOrAdd(string.Join('\u001f', args), key => new Lazy<string>(() => Make(args))).Value;
        CopyFolder(source, destination);
        return destination;
    }

    static string Make(string[] args)
    {
        string folder = Root[Guid.NewGuid().ToString("N")];
        var result = CliProcess.Run([.. args, "--out", folder]);
        Assert.True(result.ExitCode == 0, $"memscore {string.Join(' ', args)} -> exit {result.ExitCode}\n{result.StdErr}");
        return folder;
    }

    /// <summary>Copies every file and folder (empty ones too: a run keeps its empty checkpoints folder).</summary>
    public static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string folder in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, folder)));
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
