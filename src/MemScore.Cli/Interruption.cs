using System.Runtime.InteropServices;

namespace MemScore.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM (kill, Slurm's preemption) are caught. The first signal cancels
/// <see cref="Token"/>: training and evaluation stop at their next batch, the command unwinds through
/// its normal clean-up (run.lock and task locks released, finished tasks and checkpoints kept) and
/// memscore exits 130 with one "interrupted" line. A command that is in a step that does not check the
/// token (loading data, writing a report) gets <see cref="GracePeriod"/> to finish; after that, or at
/// a second signal, the process exits 130 at once (the locks are then released by their process-exit
/// handlers, <see cref="Storage.RunLock"/>).
/// </summary>
sealed class Interruption : IDisposable
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(10);

    readonly CancellationTokenSource _cancel = new();
    readonly PosixSignalRegistration[] _registrations;
    readonly Action<string> _exitNow;
    int _signals;

    /// <param name="exitNow">Called (with the signal's name) when the process must end without waiting for the command.</param>
    public Interruption(Action<string> exitNow)
    {
        _exitNow = exitNow;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received ("SIGINT" or "SIGTERM"), or null.</summary>
    public string? Signal { get; private set; }

    public bool Requested => Signal is not null;

    void Handle(PosixSignalContext context)
    {
        context.Cancel = true;   // no default termination: the command unwinds itself
        string name = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        if (Interlocked.Increment(ref _signals) == 1)
        {
            Signal = name;
            ThreadPool.QueueUserWorkItem(_ => _cancel.Cancel());
            _ = Task.Delay(GracePeriod).ContinueWith(_ => _exitNow(name), TaskScheduler.Default);
        }
        else _exitNow(Signal ?? name);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
