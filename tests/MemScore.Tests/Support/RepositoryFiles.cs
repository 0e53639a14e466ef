namespace MemScore.Tests.Support;

/// <summary>The checkout the tests were built from (the folder holding MemScore.slnx).</summary>
public static class RepositoryFiles
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "MemScore.slnx"))) return folder.FullName;
        throw new InvalidOperationException($"no MemScore.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>The C# sources under <paramref name="relativeFolder"/>, build outputs excluded.</summary>
    public static IEnumerable<string> Sources(string relativeFolder)
    {
        string folder = Path.Combine(Root(), relativeFolder);
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
    }
}
