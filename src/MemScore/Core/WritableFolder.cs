namespace MemScore.Core;

/// <summary>Creates a folder MemScore writes into and proves it writable, or fails naming the path and why (exit 4).</summary>
internal static class WritableFolder
{
    /// <param name="path">The folder to create (with its parents) if missing.</param>
    /// <param name="what">What the folder is, for the message (e.g. "output folder", "data cache (--cache-dir)").</param>
    /// <returns>The folder's absolute path.</returns>
    public static string Ensure(string path, string what)
    {
        string full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full);
            string probe = TemporaryPath.For(Path.Combine(full, "write-probe"));
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MemScoreException(ErrorKind.RunFolder, $"{full}: {what} is not writable: {Reason(full, e)}", e);
        }
    }

    /// <summary>A file where a folder is needed (the folder itself or one above it) is named; otherwise the system's message.</summary>
    static string Reason(string full, Exception e)
    {
        for (string? p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) return $"{p} is a file, not a folder";
            if (Directory.Exists(p)) break;
        }
        return e.Message;
    }
}
