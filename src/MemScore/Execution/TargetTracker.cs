using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Execution;

/// <summary>
/// The stopping rule inside `memscore run`: workers report finished units; when the prefix of complete
/// repeats grows, the predictions are brought up to date (target_progress.json rewritten) and the units
/// of repeats past a stop are cancelled (a cancelled task keeps its checkpoint, so nothing is lost if the
/// rule is later changed). Thread-safe.
/// </summary>
sealed class TargetTracker
{
    readonly RunContext _context;
    readonly RepeatTarget _target;
    readonly object _gate = new();
    readonly Dictionary<CancellationTokenSource, int> _running = [];

    public TargetProgress Progress { get; private set; }

    public TargetTracker(RunContext context, RepeatTarget target)
    {
        _context = context;
        _target = target;
        Progress = RepeatStopping.Evaluate(context, RepeatStopping.AllFinished(context), target);
        RepeatStopping.WriteProgress(context, Progress);
    }

    public bool Needs(int repeat)
    {
        lock (_gate) return Progress.Needs(repeat);
    }

    /// <summary>A token for a unit of <paramref name="repeat"/>, cancelled when the repeat stops being needed.</summary>
    public CancellationTokenSource Started(int repeat, CancellationToken outer)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        lock (_gate) _running[source] = repeat;
        return source;
    }

    public void Ended(CancellationTokenSource source)
    {
        lock (_gate) _running.Remove(source);
    }

    /// <summary>Re-evaluates after a unit finished (only when a new repeat completed the prefix).</summary>
    public void Update()
    {
        lock (_gate)
        {
            if (Progress.Reached) return;
            var results = RepeatStopping.AllFinished(_context);
            if (RepeatStopping.CompletePrefix(results, _context.Plan.Folds, _context.Plan.Repeats) == Progress.CompleteRepeats) return;
            Progress = RepeatStopping.Evaluate(_context, results, _target, known: Progress);
            RepeatStopping.WriteProgress(_context, Progress);
            foreach (var (source, repeat) in _running)
                if (!Progress.Needs(repeat)) source.Cancel();
        }
    }
}
