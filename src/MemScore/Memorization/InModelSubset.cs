using MemScore.Core;

namespace MemScore.Memorization;

/// <summary>
/// The cheaper estimator's choice (--in-models M): each example keeps only M of its L(K-1) "in"
/// models; its L "out" values are all kept. A model then evaluates its held-out fold plus the
/// examples that chose it, (L + M) n evaluations in all instead of L K n.
/// The choice is stratified by repeat: the M tasks go round-robin over the repeats in a seeded
/// order, each repeat's in-folds in a seeded order, so every repeat holds floor(M/L) or
/// ceil(M/L) of them and every in-task is chosen with the same probability M / (L(K-1)).
/// It is a pure function of (root seed, plan, example): no dependence on which tasks run where.
/// </summary>
internal sealed class InModelSubset
{
    readonly FoldPlan _plan;
    readonly bool[][] _chosen;   // [task index][example] -> example i keeps this task as an in-model

    public int InModels { get; }

    public InModelSubset(FoldPlan plan, int inModels, long rootSeed)
    {
        ArgumentNullException.ThrowIfNull(plan);
        int available = plan.Repeats * (plan.Folds - 1);
        if (inModels < 1 || inModels > available)
            throw new ArgumentOutOfRangeException(nameof(inModels), inModels, $"must be in 1..{available} (L(K-1) in-models per example)");
        _plan = plan;
        InModels = inModels;
        _chosen = Enumerable.Range(0, plan.Repeats * plan.Folds).Select(_ => new bool[plan.Count]).ToArray();
        for (int i = 0; i < plan.Count; i++)
            foreach (var task in Choose(plan, inModels, rootSeed, i))
                _chosen[TaskIndex(task)][i] = true;
    }

    /// <summary>The subset for a config, or null when it keeps every in-model (--in-models absent).</summary>
    public static InModelSubset? For(int? inModels, FoldPlan plan, long rootSeed) =>
        inModels is int m ? new InModelSubset(plan, m, rootSeed) : null;

    /// <summary>The M in-tasks example <paramref name="example"/> keeps, in the order they were drawn.</summary>
    public static TaskId[] Choose(FoldPlan plan, int inModels, long rootSeed, int example)
    {
        var rng = new SplitMix64(new SeedSchedule(rootSeed).InModelChoice(example));
        int[] repeatOrder = rng.Permutation(plan.Repeats);
        var inFolds = new int[plan.Repeats][];
        for (int r = 0; r < plan.Repeats; r++)
        {
            int outFold = plan.FoldOf(r, example);
            int[] order = rng.Permutation(plan.Folds - 1);
            // Fold indices 0..K-2 map onto the K-1 folds other than the example's own.
            inFolds[r] = Array.ConvertAll(order, f => f < outFold ? f : f + 1);
        }
        var chosen = new TaskId[inModels];
        for (int j = 0; j < inModels; j++)
        {
            int r = repeatOrder[j % plan.Repeats];
            chosen[j] = new TaskId(r, inFolds[r][j / plan.Repeats]);
        }
        return chosen;
    }

    public bool Keeps(TaskId task, int example) => _chosen[TaskIndex(task)][example];

    /// <summary>
    /// Rows the task's model must evaluate (sorted): its held-out fold and the examples that chose
    /// it; null when that is every row (as with M = L(K-1)), the form of <see cref="TaskResult.Evaluated"/>.
    /// </summary>
    public int[]? RowsToEvaluate(TaskId task)
    {
        var chosen = _chosen[TaskIndex(task)];
        var rows = new List<int>();
        for (int i = 0; i < _plan.Count; i++)
            if (chosen[i] || _plan.FoldOf(task.Repeat, i) == task.Fold) rows.Add(i);
        return rows.Count == _plan.Count ? null : rows.ToArray();
    }

    /// <summary>Equal row lists, null meaning every row.</summary>
    public static bool SameRows(int[]? a, int[]? b) => a is null ? b is null : b is not null && a.SequenceEqual(b);

    int TaskIndex(TaskId task) => task.Repeat * _plan.Folds + task.Fold;
}
