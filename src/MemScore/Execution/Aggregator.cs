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
        var accumulator = new ScoreAccumulator(context.Plan.Count, context.Config.EvaluationEpochs());
        var missing = new List<int>();
        for (int i = 0; i < context.TaskCount; i++)
        {
            var result = context.LoadResult(context.TaskAt(i));
            if (result is null) missing.Add(i);
            else accumulator.Add(result);
        }
        if (missing.Count == context.TaskCount)
            throw new MemScoreException(ErrorKind.RunFolder, $"{context.Folder.TasksDirectory}: no finished tasks yet");
        if (missing.Count > 0 && !allowPartial)
            throw new MemScoreException(ErrorKind.RunFolder, $"{context.Folder.Root}: tasks {string.Join(",", missing)} are not finished");
        var scores = accumulator.ToScores(context.Data.Labels, context.Data.SourceIndices);
        FaultInjection.Reached("aggregation");
        ScoreFiles.WriteAll(context.Folder, scores);
        return new AggregateOutcome(scores, CoverageOf(scores, context.TaskCount - missing.Count, context.TaskCount));
    }

    static Coverage CoverageOf(Scores s, int found, int total) => new(found, total,
        s.CountIn.Min(), s.CountIn.Max(), s.CountOut.Min(), s.CountOut.Max(),
        s.CountIn.Count(c => c == 0), s.CountOut.Count(c => c == 0));
}
