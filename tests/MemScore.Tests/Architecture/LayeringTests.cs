namespace MemScore.Tests.Architecture;

public class LayeringTests
{
    [Fact]
    public void EveryLibraryReferencePointsDownward()
    {
        var files = SourceFile.LoadLibrary(LibraryRoot());
        Assert.True(files.Count > 100, $"only {files.Count} source files under {LibraryRoot()}");
        var violations = Layering.Library.Violations(FolderGraph.Edges(files));
        Assert.True(violations.Count == 0, "references against docs/ARCHITECTURE.md:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryLibraryFolderHasALayer()
    {
        var folders = SourceFile.LoadLibrary(LibraryRoot()).Select(f => f.Folder).Distinct();
        Assert.Empty(folders.Except(Layering.Library.Folders));
    }

    [Fact]
    public void AnAddedUpwardUsingFailsNamingFileLineAndEdge()
    {
        var clean = new List<SourceFile>
        {
            new("Core/Seeds.cs", "namespace MemScore.Core;\npublic static class Seeds { }\n"),
            new("Storage/RunFolder.cs", "using MemScore.Core;\n\nnamespace MemScore.Storage;\npublic sealed class RunFolder { }\n"),
        };
        Assert.Empty(Layering.Library.Violations(FolderGraph.Edges(clean)));

        var withUpward = clean.Append(new("Core/Atomic.cs", "using System;\nusing MemScore.Storage;\n\nnamespace MemScore.Core;\nclass Atomic { }\n")).ToList();
        var violation = Assert.Single(Layering.Library.Violations(FolderGraph.Edges(withUpward)));
        Assert.Equal("Core/Atomic.cs:2: Core -> Storage (upward)", violation);
    }

    [Fact]
    public void AnUpwardUsingAddedToTheRealSourcesIsTheOneViolation()
    {
        var real = SourceFile.LoadLibrary(LibraryRoot());
        var injected = real.Append(new SourceFile("Core/Injected.cs", "using MemScore.Reporting;\nnamespace MemScore.Core;\nstatic class Injected { }\n")).ToList();
        Assert.Equal(["Core/Injected.cs:1: Core -> Reporting (upward)"], Layering.Library.Violations(FolderGraph.Edges(injected)));
    }

    [Fact]
    public void QualifiedNamesCountAndCommentsAndStringsDoNot()
    {
        var files = new List<SourceFile>
        {
            new("Storage/RunFolder.cs", "namespace MemScore.Storage;\npublic sealed class RunFolder { }\n"),
            new("Data/Reader.cs", "namespace MemScore.Data;\n// uses MemScore.Storage.RunFolder once\n/* Storage.RunFolder */\n" +
                "class Reader\n{\n    string s = \"MemScore.Storage.RunFolder\";\n    object a = new MemScore.Storage.RunFolder();\n    object b = new Storage.RunFolder();\n" +
                "    object c = Storage.Count;\n}\n"),
        };
        var violations = Layering.Library.Violations(FolderGraph.Edges(files));
        Assert.Equal(["Data/Reader.cs:7: Data -> Storage (upward)", "Data/Reader.cs:8: Data -> Storage (upward)"], violations);
    }

    [Fact]
    public void SiblingsInOneLayerMayNotDependOnEachOther()
    {
        var files = new List<SourceFile> { new("Data/Reader.cs", "using MemScore.Likelihood;\nnamespace MemScore.Data;\n") };
        Assert.Equal(["Data/Reader.cs:1: Data -> Likelihood (same layer)"], Layering.Library.Violations(FolderGraph.Edges(files)));
    }

    static string LibraryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "MemScore"))) return Path.Combine(dir.FullName, "src", "MemScore");
        throw new DirectoryNotFoundException($"no src/MemScore above {AppContext.BaseDirectory}");
    }
}
