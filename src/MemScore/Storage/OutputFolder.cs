using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// Checks on a folder MemScore is about to write into (--out), made before anything is created there:
/// it must not be (or lie inside) the data it reads, and an existing folder must be empty or one of
/// MemScore's own of the same kind. Otherwise a typo in --out would mix results into, say, a photo
/// collection, and the start-up clean-up would run in a folder MemScore did not make.
/// </summary>
internal static class OutputFolder
{
    /// <summary>A non-empty path; <paramref name="flag"/> names it in the error (e.g. "out").</summary>
    public static string RequirePath(string? path, string flag)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidConfigurationException($"{flag} = \"{path}\": expected a folder path");
        return path;
    }

    /// <summary>Refuses an output folder equal to or inside <paramref name="dataDirectory"/> (--data-dir), with both paths.</summary>
    public static void RefuseInsideData(string output, string? dataDirectory)
    {
        if (string.IsNullOrEmpty(dataDirectory)) return;
        string outputPath = CanonicalPath(output), data = CanonicalPath(dataDirectory);
        bool inside = File.Exists(data)
            ? outputPath == data
            : outputPath == data || outputPath.StartsWith(data.EndsWith('/') ? data : data + "/", StringComparison.Ordinal);
        if (inside)
            throw new InvalidConfigurationException(
                $"out = {Path.GetFullPath(output)} is inside data-dir = {Path.GetFullPath(dataDirectory)}: results written there would become part of the data set; choose an --out outside it");
    }

    /// <summary>
    /// Refuses an existing, non-empty folder that is not MemScore's: it lacks <paramref name="manifestName"/>
    /// and holds an entry for which <paramref name="isOwnEntry"/> is false (temporary files of MemScore always count as its own).
    /// </summary>
    public static void RefuseForeign(string root, string manifestName, Func<string, bool> isOwnEntry, string kind)
    {
        string full = Path.GetFullPath(root);
        if (File.Exists(full))
            throw new MemScoreException(ErrorKind.RunFolder, $"{full}: is a file, not a folder; choose another --out");
        if (!Directory.Exists(full) || File.Exists(Path.Combine(full, manifestName))) return;
        string[] foreign;
        try
        {
            foreign = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName)
                .Where(name => !isOwnEntry(name!) && !TemporaryPath.IsTemporaryName(name!)).Order(StringComparer.Ordinal).ToArray()!;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MemScoreException(ErrorKind.RunFolder, $"{full}: cannot list the output folder: {e.Message}", e);
        }
        if (foreign.Length > 0)
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{full}: exists and is not a {kind} (no {manifestName}; holds {string.Join(", ", foreign.Take(3))}{(foreign.Length > 3 ? $" and {foreign.Length - 3} more" : "")}); " +
                "choose a new or empty --out");
    }

    /// <summary>The absolute path with symbolic links of its existing part resolved.</summary>
    public static string CanonicalPath(string path) => Canonical(path, depth: 0);

    static string Canonical(string path, int depth)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string resolved = Path.GetPathRoot(full)!;
        foreach (string part in full[resolved.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target && depth < 40) next = Canonical(Path.GetFullPath(target, resolved), depth + 1);
            resolved = next;
        }
        return resolved;
    }
}
