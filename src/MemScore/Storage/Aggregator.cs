using MemScore.Analysis;
using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>How much of the plan a set of scores rests on.</summary>
internal sealed record Coverage(int TasksFound, int TaskCount, int MinIn, int MaxIn, int MinOut, int MaxOut, int ExamplesWithoutIn, int ExamplesWithoutOut)
{
    public bool Complete => TasksFound == TaskCount;

    public override string ToString() =>
        $"{TasksFound}/{TaskCount} tasks; per example {MinIn}..{MaxIn} in-values and {MinOut}..{MaxOut} out-values" +
        (ExamplesWithoutOut + ExamplesWithoutIn > 0 ? $"; {ExamplesWithoutOut} examples have no out-value and {ExamplesWithoutIn} no in-value (their M is empty)" : "");
}

/// <param name="Target">Where a target reliability stands (null for a plain run); the scores rest on its <see cref="TargetProgress.RepeatsUsed"/> repeats.</param>
internal sealed record AggregateOutcome(Scores Scores, Coverage Coverage, TargetProgress? Target = null);

/// <summary>Aggregates whatever task results a run folder holds into scores (METHOD.md section 2).</summary>
internal static class Aggregator
{
    /// <param name="allowPartial">When false, a missing task is an error.</param>
    /// <param name="estimator">How U is pooled (an aggregation choice; recorded in scores.json, never in the config hash).</param>
    /// <param name="known">Predictions of a target reliability computed already (reused; they are deterministic).</param>
    public static AggregateOutcome Aggregate(RunReader context, bool allowPartial, EstimatorKind estimator = EstimatorKind.Paper, TargetProgress? known = null)
    {
        var (results, target) = Selected(context, known);
        int required = target is { Reached: true } ? target.RepeatsUsed * context.Plan.Folds : context.TaskCount;
        if (results.Count < required && !allowPartial)
        {
            var missing = Enumerable.Range(0, required).Except(results.Select(r => RunReader.IndexOf(r.Task, context.Plan.Folds)));
            throw new MemScoreException(ErrorKind.RunFolder, $"{context.Folder.Root}: tasks {string.Join(",", missing)} are not finished");
        }
        var scores = Score(context, results, estimator);
        FaultInjection.Reached("aggregation");
        ScoreFiles.WriteAll(context.Folder, scores);
        if (target is not null) RepeatStopping.WriteProgress(context, target);
        return new AggregateOutcome(scores, CoverageOf(scores, results.Count, required), target);
    }

    /// <summary>
    /// Every finished, valid task result the scores rest on (at least one, else an error), in plan order: all of
    /// them for a plain run; with a target reliability (target.json) the complete repeats up to its stop.
    /// </summary>
    public static IReadOnlyList<TaskResult> FinishedResults(RunReader context) => Selected(context, null).Results;

    /// <summary><see cref="FinishedResults"/> with where the run's target reliability stands (null for a plain run).</summary>
    public static (IReadOnlyList<TaskResult> Results, TargetProgress? Target) FinishedResultsWithTarget(RunReader context) =>
        Selected(context, null);

    static (List<TaskResult> Results, TargetProgress? Target) Selected(RunReader context, TargetProgress? known)
    {
        var all = RepeatStopping.AllFinished(context);
        var rule = RepeatTarget.Read(context.Folder);
        var target = rule is null || all.Count == 0 ? null : RepeatStopping.Evaluate(context, all, rule, known: known);
        var results = target is null ? all : all.Where(r => r.Task.Repeat < target.RepeatsUsed).ToList();
        if (results.Count == 0)
            throw new MemScoreException(ErrorKind.RunFolder, target is null
                ? $"{context.Folder.TasksDirectory}: no finished tasks yet"
                : $"{context.Folder.TasksDirectory}: no complete repeat yet (a run with a target reliability is scored on complete repeats only)");
        return (results, target);
    }

    /// <summary>
    /// U, V, M from the given results (METHOD.md section 2) with the chosen estimator, and at the last
    /// evaluation epoch the per-example intervals, p/q-values and reliability (Analysis.ExampleStatistics,
    /// from the complete repeats; none with --in-models, whose examples lack most in-values); writes nothing.
    /// </summary>
    public static Scores Score(RunReader context, IEnumerable<TaskResult> results, EstimatorKind estimator = EstimatorKind.Paper, bool withInference = true)
    {
        var list = results.ToList();
        var epochs = context.Config.EvaluationEpochs();
        var accumulator = new ScoreAccumulator(context.Plan.Count, epochs);
        foreach (var result in list) accumulator.Add(result);
        var examples = context.Examples ?? throw new InvalidOperationException($"{context.Folder.Root}: open the run with RunContext.OpenReader to read its examples' labels");
        var scores = accumulator.ToScores(examples.Labels, examples.SourceIndices);
        RequireFinite(scores, context.Folder.TasksDirectory);
        bool subset = context.Config.InModels is not null;
        if (estimator == EstimatorKind.Balanced && subset)
            throw new InvalidConfigurationException($"estimator = balanced: needs every model's log p of every example, but this run keeps {context.Config.InModels} in-models per example (--in-models); use the paper estimator");
        var last = subset ? null : ModelValues.From(list, context.Plan, epochs.Length - 1);
        if (estimator == EstimatorKind.Balanced)
        {
            scores = Balanced(context, list, scores, last);
            RequireFinite(scores, context.Folder.TasksDirectory);
        }
        var inference = withInference && last is not null
            ? ExampleStatistics.Compute(last, new ExampleStatisticsOptions(estimator, Seed: context.Config.Seed))
            : null;
        return new Scores(scores.EvaluationEpochs, scores.U, scores.V, scores.CountIn, scores.CountOut, scores.Labels, scores.SourceIndices)
        {
            Estimator = Estimators.Name(estimator),
            Inference = inference,
        };
    }

    /// <summary>The balanced estimator's U and V per epoch from the complete repeats (NaN where no repeat is complete).</summary>
    static Scores Balanced(RunReader context, List<TaskResult> results, Scores paper, ModelValues? last)
    {
        int n = paper.Count, e = paper.EvaluationEpochs.Length;
        var u = new double[n, e];
        var v = new double[n, e];
        var nIn = new int[n];
        var nOut = new int[n];
        for (int c = 0; c < e; c++)
        {
            var values = c == e - 1 ? last : ModelValues.From(results, context.Plan, c);
            if (values is null)
            {
                for (int i = 0; i < n; i++) u[i, c] = v[i, c] = double.NaN;
                continue;
            }
            var (bu, bv, _) = Estimators.Compute(values, EstimatorKind.Balanced, context.Config.Seed);
            for (int i = 0; i < n; i++) (u[i, c], v[i, c]) = (bu[i], bv[i]);
            if (c == e - 1)
                for (int i = 0; i < n; i++) (nIn[i], nOut[i]) = (values.Repeats * (values.Folds - 1), values.Repeats);
        }
        return new Scores(paper.EvaluationEpochs, u, v, nIn, nOut, paper.Labels, paper.SourceIndices);
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
