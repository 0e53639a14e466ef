using MemScore.Data;
using MemScore.Reporting;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting;

/// <summary>A planned run (`memscore plan`, real images) with synthetic task results and scores.csv: no training.</summary>
internal sealed class SyntheticRun : IDisposable
{
    public TempDirectory Directory { get; } = new();
    public RunContext Context { get; }
    public int[] Planted { get; }
    public string Root => Directory["run"];

    public SyntheticRun(int examples = 300, int folds = 5, int repeats = 3, int planted = 5, double gain = 40, int seed = 7)
    {
        var plan = CliProcess.Run("plan", "--limit", $"{examples}", "--folds", $"{folds}", "--repeats", $"{repeats}", "--epochs", "2", "--eval-every", "1",
            "--is-samples", "8", "--threads", "1", "--out", Directory["run"]);
        if (plan.ExitCode != 0) throw new InvalidOperationException(plan.StdErr);
        Context = RunContext.Open(Root, DatasetRegistry.CreateDefault(), null);
        Planted = SyntheticResults.Write(Context, planted, gain, seed);
        Aggregator.Aggregate(Context, allowPartial: false);
    }

    public void Dispose()
    {
        Context.Dispose();
        Directory.Dispose();
    }
}
