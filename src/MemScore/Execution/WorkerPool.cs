using System.Runtime.ExceptionServices;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <summary>
/// Runs work items on several threads of this process, each item once, each thread taking the next
/// item when it is free. Each worker sets the intra-op thread count again on its own thread: OpenMP
/// defines that count per thread, and a worker left at all cores would sum floats in another order
/// (PLATFORM.md). libtorch 2.10 keeps it process-wide (a probe: a fresh thread reports the value the
/// main thread set), so today this only guards against a build that does not. The first failure
/// cancels the other workers (they stop at their next batch) and is rethrown after all have ended.
/// </summary>
internal static class WorkerPool
{
    const int StackBytes = 16 << 20;

    /// <param name="whenIdle">Called by each worker when no item is left for it (not after a failure), e.g. to help the others.</param>
    public static void Run(int items, int workers, int threadsPerWorker, Action<int, CancellationToken> work, CancellationToken cancellation,
        Action<CancellationToken>? whenIdle = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "must be >= 1");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        var gate = new object();
        void Worker()
        {
            try
            {
                DenormalFlushing.SetForCurrentThread(true);
                TorchThreads.Use(threadsPerWorker);
                for (int i = Interlocked.Increment(ref next); i < items; i = Interlocked.Increment(ref next))
                {
                    stop.Token.ThrowIfCancellationRequested();
                    work(i, stop.Token);
                }
                whenIdle?.Invoke(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                // The first failure is rethrown; a task's own failure record (TaskExecutor) keeps any later one.
                lock (gate) failure ??= ExceptionDispatchInfo.Capture(e);
                stop.Cancel();
            }
        }
        var threads = Enumerable.Range(0, Math.Min(workers, Math.Max(items, 1)))
            .Select(k => new Thread(Worker, StackBytes) { Name = $"memscore-worker-{k}", IsBackground = true }).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        failure?.Throw();
        cancellation.ThrowIfCancellationRequested();
    }
}
