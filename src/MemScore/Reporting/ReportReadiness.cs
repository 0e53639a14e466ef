using System.Globalization;
using MemScore.Core;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <summary>How much of a run a report rests on.</summary>
/// <param name="ScoredExamples">Examples with a finite M at the last evaluation epoch (an in-model and an out-model value each).</param>
internal sealed record ReportReadiness(int TasksFinished, int TaskCount, int ScoredExamples, int Examples)
{
    public bool Partial => TasksFinished < TaskCount;
    /// <summary>The finished results read by <see cref="Check"/>, and where a target reliability stands: the report reuses them.</summary>
    public IReadOnlyList<Memorization.TaskResult> Results { get; init; } = [];
    public TargetProgress? Target { get; init; }

    /// <summary>
    /// What `memscore report` needs, checked before anything is written; each failure is a run-folder
    /// error (exit 4) naming the file and the problem: a --full folder of the same images (dataset,
    /// data-dir, pad-to), finished tasks whose log p(x) and ESS are in range, and at least one example
    /// scored by both an in-model and an out-model. A partial run passes: the report is made on what
    /// exists and the caller says how many tasks are missing.
    /// </summary>
    public static ReportReadiness Check(RunContext run, string? fullRunDirectory)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (fullRunDirectory is not null) CheckSameData(run, new FullRunFolder(fullRunDirectory));
        var (results, target) = Aggregator.FinishedResultsWithTarget(run);
        foreach (var result in results) CheckValues(run.Folder.TaskPath(result.Task), result);
        // Only which examples have an M is needed here; the permutation statistics are the builder's work.
        var scores = Aggregator.Score(run, results, withInference: false);
        int last = scores.LastEpochColumn;
        int scored = Enumerable.Range(0, scores.Count).Count(i => double.IsFinite(scores.M(i, last)));
        if (scored == 0)
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{run.Folder.Root}: {results.Count} of {run.TaskCount} tasks finished and no example is scored by both an in-model and an out-model yet, " +
                $"so there is nothing to report; finish the run (memscore run --out {run.Folder.Root}, or see memscore status {run.Folder.Root})");
        return new ReportReadiness(results.Count, run.TaskCount, scored, scores.Count) { Results = results, Target = target };
    }

    static void CheckSameData(RunContext run, FullRunFolder folder)
    {
        var full = folder.ReadManifest().Config;
        var mine = run.Config;
        static string? FullPath(string? p) => p is null ? null : Path.GetFullPath(p);
        var differences = new List<string>();
        if (full.Dataset != mine.Dataset) differences.Add($"dataset {full.Dataset}, the run's {mine.Dataset}");
        if (FullPath(full.DataDir) != FullPath(mine.DataDir)) differences.Add($"data-dir {full.DataDir ?? "(none)"}, the run's {mine.DataDir ?? "(none)"}");
        if (full.PadTo != mine.PadTo) differences.Add($"pad-to {full.PadTo}, the run's {mine.PadTo}");
        if (differences.Count > 0)
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{folder.ManifestPath}: the full run is of other images than {run.Folder.Root} ({string.Join("; ", differences)}); " +
                "give --full a `memscore full` folder made with the run's --dataset, --data-dir and --pad-to");
    }

    /// <summary>The same range checks as reading a task file (<see cref="ResultValues"/>), for results held in memory.</summary>
    static void CheckValues(string path, Memorization.TaskResult result)
    {
        int n = result.LogLikelihoods.Length == 0 ? 0 : result.LogLikelihoods[0].Length;
        if (ResultValues.Problem(result.LogLikelihoods, result.EffectiveSampleSizes, result.TrainLoss, result.Evaluated, n) is { } problem)
            throw Damaged(path, problem);
    }

    static MemScoreException Damaged(string path, string problem) =>
        new(ErrorKind.RunFolder, $"{path}: {problem}; the file is damaged: delete it to retrain the task");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{TasksFinished} of {TaskCount} tasks finished; M is defined for {ScoredExamples} of {Examples} examples");
}
