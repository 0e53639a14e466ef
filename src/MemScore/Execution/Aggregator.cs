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
        var scores = accumulator.ToScores(context.Data.Labels, context.Data.SourceIndices);
        RequireFinite(scores, context.Folder.TasksDirectory);
        return scores;
    }

    /// <summary>
    /// Refuses U, V or M that is NaN or infinite for an example with in- and out-values (an example
    /// without one has an empty M, NaN by design). Task files are range-checked when read
    /// (<see cref="ResultValues"/>), so this is the last guard: such scores are never written.
    /// </summary>
    public static void RequireFinite(Scores scores, string source)
    {
        ArgumentNullException.ThrowIfNull(scores);
        for (int i = 0; i < scores.Count; i++)
        {
            if (scores.CountIn[i] == 0 || scores.CountOut[i] == 0) continue;
            for (int e = 0; e < scores.EvaluationEpochs.Length; e++)
                if (!double.IsFinite(scores.M(i, e)))
                    throw new NumericalFailureException($"{source}: M of example {i} at epoch {scores.EvaluationEpochs[e]} is {scores.M(i, e)} " +
                        $"(U = {scores.U[i, e]}, V = {scores.V[i, e]}); a task result holds values no model produces: delete the damaged task files to retrain them");
        }
    }

    static Coverage CoverageOf(Scores s, int found, int total) => new(found, total,
        s.CountIn.Min(), s.CountIn.Max(), s.CountOut.Min(), s.CountOut.Max(),
        s.CountIn.Count(c => c == 0), s.CountOut.Count(c => c == 0));
}
