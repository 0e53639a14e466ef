using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting.Sweeps;

/// <summary>
/// A two-point sweep through the real CLI (40 digits, K = 2, L = 2, 1 epoch, S = 8: about a minute
/// on a loaded machine), made once and shared by the sweep command and report tests.
/// </summary>
public sealed class TinySweep : IDisposable
{
    readonly TempDirectory _directory = new();
    public static readonly string[] Flags = ["--limit", "40", "--folds", "2", "--repeats", "2", "--epochs", "1", "--is-samples", "8", "--top", "0",
        "--vary", "weight-decay=0,1"];
    public string Root => _directory["sweep"];
    public CliResult First { get; }

    public TinySweep() => First = Run();

    public CliResult Run() => CliProcess.Run(["sweep", "--out", Root, .. Flags]);

    public string this[string relative] => Path.Combine(Root, relative);

    public void Dispose() => _directory.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TinySweepCollection : ICollectionFixture<TinySweep>
{
    public const string Name = "tiny sweep";
}
