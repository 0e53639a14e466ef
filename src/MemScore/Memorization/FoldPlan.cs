using MemScore.Core;

namespace MemScore.Memorization;

/// <summary>Identifies one unit of work: the model trained on D minus fold <see cref="Fold"/> of repeat <see cref="Repeat"/>.</summary>
internal readonly record struct TaskId(int Repeat, int Fold)
{
    public string FileStem => $"r{Repeat}_f{Fold}";
    public override string ToString() => $"repeat {Repeat}, fold {Fold}";

    /// <summary>Every task of L = <paramref name="repeats"/> x K = <paramref name="folds"/>, repeat by repeat.</summary>
    public static IEnumerable<TaskId> All(int repeats, int folds)
    {
        for (int r = 0; r < repeats; r++)
            for (int f = 0; f < folds; f++)
                yield return new TaskId(r, f);
    }
}

/// <summary>
/// L repeats x K folds (METHOD.md section 2, Algorithm 1). Repeat l cuts a random permutation of
/// 0..n-1 into K consecutive slices of size n/K, the first n%K one larger. The permutation of
/// repeat l depends only on (root seed, l), never on other repeats or on execution order.
/// Building is O(n) per repeat (fixes METHOD.md defect 6).
/// </summary>
internal sealed class FoldPlan
{
    readonly int[][] _foldOf;          // [repeat][example] -> fold index
    readonly int[][][] _members;       // [repeat][fold] -> sorted held-out examples

    public int Count { get; }
    public int Folds { get; }
    public int Repeats { get; }

    public FoldPlan(int count, int folds, int repeats, long rootSeed)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "need at least 2 examples");
        if (folds < 2 || folds > count) throw new ArgumentOutOfRangeException(nameof(folds), folds, $"must be in 2..{count}");
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "must be >= 1");
        Count = count;
        Folds = folds;
        Repeats = repeats;
        _foldOf = new int[repeats][];
        _members = new int[repeats][][];
        for (int r = 0; r < repeats; r++) (_foldOf[r], _members[r]) = BuildRepeat(count, folds, new SeedSchedule(rootSeed).FoldPermutation(r));
    }

    static (int[] FoldOf, int[][] Members) BuildRepeat(int n, int k, long seed)
    {
        int[] permutation = new SplitMix64(seed).Permutation(n);
        var foldOf = new int[n];
        var members = new int[k][];
        int start = 0;
        for (int f = 0; f < k; f++)
        {
            int size = FoldSize(n, k, f);
            members[f] = permutation[start..(start + size)];
            Array.Sort(members[f]);
            foreach (int i in members[f]) foldOf[i] = f;
            start += size;
        }
        return (foldOf, members);
    }

    /// <summary>n/K, plus one for the first n%K folds.</summary>
    public static int FoldSize(int n, int k, int fold) => n / k + (fold < n % k ? 1 : 0);

    public IEnumerable<TaskId> Tasks() => TaskId.All(Repeats, Folds);

    /// <summary>The fold of repeat <paramref name="repeat"/> that holds <paramref name="example"/> out.</summary>
    public int FoldOf(int repeat, int example) => _foldOf[repeat][example];

    /// <summary>Examples held out of the task's training set (sorted).</summary>
    public int[] HeldOut(TaskId task) => _members[task.Repeat][task.Fold];

    /// <summary>Examples the task's model trains on (sorted).</summary>
    public int[] TrainingExamples(TaskId task)
    {
        var fold = _foldOf[task.Repeat];
        var result = new int[Count - _members[task.Repeat][task.Fold].Length];
        int j = 0;
        for (int i = 0; i < Count; i++) if (fold[i] != task.Fold) result[j++] = i;
        return result;
    }
}
