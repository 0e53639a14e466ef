namespace MemScore.Training;

/// <summary>
/// The evaluations of one `memscore run` that idle workers may help with. A worker that has no task left calls
/// <see cref="HelpUntilAllIdle"/> and scores batches of the others' log p(x) passes until every worker is idle:
/// with K tasks on W workers the last round no longer leaves W - 1 cores waiting for the last task's evaluation.
/// </summary>
internal sealed class EvaluationSharing(int workers)
{
    readonly object _gate = new();
    readonly List<SharedEvaluation> _open = [];
    int _busy = workers;

    internal void Open(SharedEvaluation pass)
    {
        lock (_gate)
        {
            _open.Add(pass);
            Monitor.PulseAll(_gate);
        }
    }

    internal void Close(SharedEvaluation pass)
    {
        lock (_gate) _open.Remove(pass);
    }

    /// <summary>Called once by each worker when it has no work of its own left; returns when all are idle or on <paramref name="stop"/>.</summary>
    public void HelpUntilAllIdle(CancellationToken stop)
    {
        lock (_gate)
        {
            _busy--;
            Monitor.PulseAll(_gate);
        }
        while (Next(stop) is { } pass)
            while (pass.TryScoreNext(stop)) { }
    }

    SharedEvaluation? Next(CancellationToken stop)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_busy == 0 || stop.IsCancellationRequested) return null;
                var pass = _open.FirstOrDefault(p => p.HasBatchesLeft);
                if (pass is not null) return pass;
                Monitor.Wait(_gate, 50);   // woken by Open or the last worker going idle; the timeout notices a stop
            }
        }
    }
}
