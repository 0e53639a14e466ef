using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <param name="Repeats">The first L complete repeats of the run.</param>
/// <param name="PredictedSpearman">Predicted seed-to-seed Spearman of M from them (NaN when nothing can be said).</param>
internal sealed record RepeatPrediction(int Repeats, double PredictedSpearman);

/// <summary>
/// Where a run with a <see cref="RepeatTarget"/> stands: the predictions for L = 2, 3, ... complete repeats
/// (in plan order, stopping at the first that reaches the target) and the stop that follows. A function of
/// the task files alone, so every process (run, a Slurm task, report) finds the same stop.
/// </summary>
/// <param name="CompleteRepeats">Length of the run's prefix of complete repeats (0..P-1 all finished).</param>
internal sealed record TargetProgress(RepeatTarget Target, int CompleteRepeats, IReadOnlyList<RepeatPrediction> Predictions)
{
    public const string FileName = "target_progress.json";

    /// <summary>The fewest repeats whose predicted reliability reaches the target, or null.</summary>
    public int? StopAt => Predictions.FirstOrDefault(p => p.PredictedSpearman >= Target.Reliability)?.Repeats;
    public bool Reached => StopAt is not null;
    /// <summary>Nothing more will be trained: the target is reached or every planned repeat is complete.</summary>
    public bool Finished => Reached || CompleteRepeats >= Target.MaxRepeats;
    /// <summary>The repeats the scores rest on: the stop when reached, else the complete repeats so far.</summary>
    public int RepeatsUsed => StopAt ?? CompleteRepeats;
    public double LastPredicted => Predictions.Count == 0 ? double.NaN : Predictions[^1].PredictedSpearman;

    /// <summary>Does repeat <paramref name="repeat"/> (0-based) still need training?</summary>
    public bool Needs(int repeat) => !(StopAt is int stop && repeat >= stop);

    public string Sentence() => Reached
        ? Invariant($"Target reliability {Target.Reliability:0.###} reached with {StopAt} of at most {Target.MaxRepeats} repeats (predicted seed-to-seed Spearman of M {LastPredicted:F3}); the scores use those {StopAt} repeats.")
        : Finished
            ? Invariant($"Target reliability {Target.Reliability:0.###} not reached: all {Target.MaxRepeats} repeats give ") +
              (double.IsFinite(LastPredicted) ? Invariant($"a predicted seed-to-seed Spearman of M of {LastPredicted:F3}.") : "no prediction of the ranking's reliability (too few examples with intervals).")
            : Invariant($"Target reliability {Target.Reliability:0.###} not reached yet: {CompleteRepeats} of at most {Target.MaxRepeats} repeats complete") +
              (Predictions.Count > 0 ? Invariant($" (predicted Spearman {LastPredicted:F3}).") : ".");

    /// <summary>target_progress.json: the rule, the prediction per number of repeats, the outcome.</summary>
    public string ToJson(int epoch)
    {
        var predictions = new JsonArray();
        foreach (var p in Predictions)
            predictions.Add(new JsonObject { ["repeats"] = p.Repeats, ["predicted_spearman"] = double.IsFinite(p.PredictedSpearman) ? p.PredictedSpearman : null });
        return new JsonObject
        {
            ["target_reliability"] = Target.Reliability,
            ["max_repeats"] = Target.MaxRepeats,
            ["min_repeats"] = RepeatTarget.MinRepeats,
            ["estimator"] = Estimators.Name(Target.Estimator),
            ["epoch"] = epoch,
            ["complete_repeats"] = CompleteRepeats,
            ["predicted_spearman_by_repeats"] = predictions,
            ["reached"] = Reached,
            ["repeats_used"] = RepeatsUsed,
            ["finished"] = Finished,
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static string PathIn(RunFolder folder) => Path.Combine(folder.Root, FileName);

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The stopping rule of <see cref="RepeatTarget"/> applied to a run's task files.</summary>
internal static class RepeatStopping
{
    /// <summary>
    /// Predictions for L = 2..min(complete prefix, <paramref name="upTo"/>) from the first L complete repeats
    /// (<paramref name="values"/>(L) gives their values), stopping at the first that reaches the target.
    /// Predictions already in <paramref name="known"/> are reused (they are deterministic).
    /// </summary>
    public static TargetProgress Evaluate(RepeatTarget target, int completeRepeats, Func<int, ModelValues> values, long seed,
        int upTo = int.MaxValue, TargetProgress? known = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(values);
        var predictions = new List<RepeatPrediction>();
        for (int l = RepeatTarget.MinRepeats; l <= Math.Min(completeRepeats, upTo); l++)
        {
            var prediction = known?.Predictions.FirstOrDefault(p => p.Repeats == l)
                ?? new RepeatPrediction(l, RankingReliability.PredictedSpearman(values(l), target.Estimator, seed));
            predictions.Add(prediction);
            if (prediction.PredictedSpearman >= target.Reliability) break;
        }
        return new TargetProgress(target, completeRepeats, predictions);
    }

    /// <summary>The same on a run's finished results, at its last evaluation epoch, seeded with its root seed (as the report is).</summary>
    public static TargetProgress Evaluate(RunReader context, IReadOnlyList<TaskResult> results, RepeatTarget target,
        int upTo = int.MaxValue, TargetProgress? known = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(results);
        int prefix = CompletePrefix(results, context.Plan.Folds, context.Plan.Repeats);
        int column = context.Config.EvaluationEpochs().Length - 1;
        ModelValues Values(int l) => ModelValues.From(results.Where(r => r.Task.Repeat < l).ToList(), context.Plan, column)
            ?? throw new InvalidOperationException($"repeats 0..{l - 1} are not complete");
        return Evaluate(target, prefix, Values, context.Config.Seed, upTo, known);
    }

    /// <summary>The progress of a run with a target (null for a plain run), from the task files present.</summary>
    public static TargetProgress? Evaluate(RunReader context, int upTo = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = RepeatTarget.Read(context.Folder);
        return target is null ? null : Evaluate(context, AllFinished(context), target, upTo);
    }

    /// <summary>
    /// The stop that makes <paramref name="task"/> unnecessary (a `memscore task` of a Slurm array started
    /// beyond it), or null when the run has no target or the task is still needed.
    /// </summary>
    public static TargetProgress? StoppedBefore(RunReader context, TaskId task)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (task.Repeat < RepeatTarget.MinRepeats) return null;
        var progress = Evaluate(context, upTo: task.Repeat);
        return progress is not null && !progress.Needs(task.Repeat) ? progress : null;
    }

    /// <summary>How many repeats from the first are complete (all K folds finished).</summary>
    public static int CompletePrefix(IEnumerable<TaskResult> results, int folds, int repeats)
    {
        var done = results.Select(r => r.Task).ToHashSet();
        int p = 0;
        while (p < repeats && Enumerable.Range(0, folds).All(f => done.Contains(new TaskId(p, f)))) p++;
        return p;
    }

    public static void WriteProgress(RunReader context, TargetProgress progress)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(progress);
        AtomicFile.WriteAllText(TargetProgress.PathIn(context.Folder), progress.ToJson(context.Config.EvaluationEpochs()[^1]));
    }

    /// <summary>Every finished, valid task result in plan order (possibly none).</summary>
    public static List<TaskResult> AllFinished(RunReader context) =>
        Enumerable.Range(0, context.TaskCount).Select(i => context.LoadResult(context.TaskAt(i))).OfType<TaskResult>().ToList();
}
