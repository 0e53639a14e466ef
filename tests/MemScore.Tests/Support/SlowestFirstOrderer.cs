using Xunit.Abstractions;

[assembly: TestCollectionOrderer("MemScore.Tests.Support.SlowestFirstOrderer", "MemScore.Tests")]

namespace MemScore.Tests.Support;

/// <summary>
/// Starts the longest test collections first. Tests inside a collection run one after another, and xunit
/// starts at most maxParallelThreads collections at a time in this order: a long collection started last
/// makes the whole run wait for it alone (the kill-and-resume chain did, for ~40 s). Longest first,
/// then the other end-to-end classes, then the fast ones, which fill the gaps at the end.
/// </summary>
public sealed class SlowestFirstOrderer : ITestCollectionOrderer
{
    /// <summary>The slowest classes by their summed test time in a clean-clone .ci/run (bench/test-suite.md), slowest first.</summary>
    static readonly string[] Slowest =
    [
        "Cli.HostileInputRound2CliTests", "Execution.KillAndResumeTests", "Cli.HostileInputTests", "Cli.HostileInputRound2DataTests",
        "Cli.FamiliesAndPresetsRunTests", "Execution.SlurmTests", "Cli.HostileInputRound2StorageTests", "Execution.TaskLoopReferenceTests",
        "Packaging.ToolPackageTests", "Cli.RunCommandTests", "Execution.PyTorchExportTests", "Training.Privacy.DpSgdTests",
        "Storage.PyTorchStateDictTests", "Cli.TargetReliabilityCliTests", "Execution.SlurmScriptSafetyTests", "Reporting.ReportTests",
    ];

    const string Prefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(Rank).ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    static int Rank(ITestCollection collection)
    {
        // A class without a [Collection] is its own collection, named after the class.
        if (!collection.DisplayName.StartsWith(Prefix, StringComparison.Ordinal)) return Slowest.Length + 1;
        string name = collection.DisplayName[Prefix.Length..];
        int index = Array.IndexOf(Slowest, name.StartsWith("MemScore.Tests.", StringComparison.Ordinal) ? name["MemScore.Tests.".Length..] : name);
        if (index >= 0) return index;
        var type = typeof(SlowestFirstOrderer).Assembly.GetType(name);
        bool endToEnd = type is not null && type.CustomAttributes.Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments.Select(x => x.Value as string).SequenceEqual(["Tier", "EndToEnd"]));
        return endToEnd ? Slowest.Length : Slowest.Length + 2;
    }
}
