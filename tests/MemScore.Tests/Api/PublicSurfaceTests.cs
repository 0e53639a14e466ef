using MemScore.Api;
using MemScore.Tests.Support;

namespace MemScore.Tests.Api;

/// <summary>
/// Issue 13 item 6: the library's public top-level types are exactly build/public-api.txt. A new public type
/// (say, from a merged branch) fails here until build/internalize.sh is run or the type is added to the list.
/// </summary>
public class PublicSurfaceTests
{
    [Fact]
    public void The_exported_types_are_those_of_the_allowlist()
    {
        var listed = File.ReadAllLines(Path.Combine(RepositoryFiles.Root(), "build", "public-api.txt"))
            .Select(line => line.Split('#')[0].Trim()).Where(name => name.Length > 0).ToHashSet();
        var exported = typeof(MemScoreJob).Assembly.GetExportedTypes().Where(t => !t.IsNested)
            .Select(t => t.Name.Split('`')[0]).ToHashSet();
        Assert.True(exported.SetEquals(listed),
            $"public but not listed: {string.Join(", ", exported.Except(listed).Order())}; listed but not public: {string.Join(", ", listed.Except(exported).Order())}. " +
            "Run build/internalize.sh (and --converge if the build then reports inconsistent accessibility).");
    }
}
