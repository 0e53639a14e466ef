using MemScore.Core;
using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Execution;

/// <summary>How much of the plan a set of scores rests on.</summary>
public sealed record Coverage(int TasksFound, int TaskCount, int MinIn, int MaxIn, int MinOut, int MaxOut, int ExamplesWithoutIn, int ExamplesWithoutOut)
{
    public bool Complete => TasksFound == TaskCount;

    public override string ToString() =>
        $"{TasksFound}/{TaskCount} tasks; per example {MinIn}..{MaxIn} in-values and {MinOut}..{MaxOut} out-values" +
        (ExamplesWithoutOut + ExamplesWithoutIn > 0 ? $"; {ExamplesWithoutOut} examples have no out-value and {ExamplesWithoutIn} no in-value (their M is empty)" : "");
}

public sealed record AggregateOutcome(Scores Scores, Coverage Coverage);

/// <summary>Aggregates whatever task results a run folder holds into scores (METHOD.md section 2).</summary>
public static class Aggregator
{
    /// <param name="allowPartial">When false, a missing task is an error.</param>
    public static AggregateOutcome Aggregate(RunContext context, bool allowPartial)
    {
        var results = FinishedResults(context);
        if (results.Count < context.TaskCount && !allowPartial)
        {
            var missing = Enumerable.Range(0, context.TaskCount).Except(results.Select(r => RunContext.IndexOf(r.Task, context.Plan.Folds)));
            throw new MemScoreException(ErrorKind.RunFolder, $"{context.Folder.Root}: tasks {string.Join(",", missing)} are not finished");
        }
        var scores = Score(context, results);
        FaultInjection.Reached("aggregation");
        ScoreFiles.WriteAll(context.Folder, scores);
        return new AggregateOutcome(scores, CoverageOf(scores, results.Count, context.TaskCount));
    }

    /// <summary>Every finished, valid task result of the run (at least one, else an error), in plan order.</summary>
    public static IReadOnlyList<TaskResult> FinishedResults(RunContext context)
    {
        var results = Enumerable.Range(0, context.TaskCount).Select(i => context.LoadResult(context.TaskAt(i))).OfType<TaskResult>().ToList();
        if (results.Count == 0)
            throw new MemScoreException(ErrorKind.RunFolder, $"{context.Folder.TasksDirectory}: no finished tasks yet");
        return results;
    }

    /// <summary>U, V, M from the given results (METHOD.md section 2); writes nothing.</summary>
    public static Scores Score(RunContext context, IEnumerable<TaskResult> results)
    {
        var accumulator = new ScoreAccumulator(context.Plan.Count, context.Config.EvaluationEpochs());
        foreach (var result in results) accumulator.Add(result);
        return accumulator.ToScores(context.Data.Labels, context.Data.SourceIndices);
    }

    static Coverage CoverageOf(Scores s, int found, int total) => new(found, total,
        s.CountIn.Min(), s.CountIn.Max(), s.CountOut.Min(), s.CountOut.Max(),
        s.CountIn.Count(c => c == 0), s.CountOut.Count(c => c == 0));
}
