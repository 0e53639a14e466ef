using System.Diagnostics;

namespace MemScore.Core;

/// <summary>
/// Test hook for crash and disk-fault tests, armed once per process by <see cref="Arm"/> (the CLI passes its
/// MEMSCORE_FAULT environment variable; unarmed in normal use, then every call is a no-op):
///   kill:POINT[:N]     the process kills itself (SIGKILL) the Nth time (default 1st) POINT is reached
///   stall:POINT[:S]    the first thread to reach POINT sleeps S seconds (default 60) there (signal tests:
///                      the signal lands while the command is at a known point)
///   io:SUBSTRING       writes to paths containing SUBSTRING fail with "No space left on device"
///   fail-task:I[,J..]  tasks with these plan indices fail at start (Slurm failure tests)
/// Points: "atomic-write" (temp file written, not yet renamed), "checkpoint", "task-saved",
/// "aggregation".
/// </summary>
internal static class FaultInjection
{
    static string? Spec;
    static int s_hits;

    /// <summary>Sets the fault specification for this process (null or empty = none).</summary>
    public static void Arm(string? spec)
    {
        Spec = string.IsNullOrEmpty(spec) ? null : spec;
        s_hits = 0;
    }

    public static void Reached(string point)
    {
        if (Spec is null) return;
        var parts = Spec.Split(':');
        if (parts.Length < 2 || parts[1] != point) return;
        if (parts[0] == "stall")
        {
            int seconds = parts.Length > 2 && int.TryParse(parts[2], out int s) ? s : 60;
            if (Interlocked.Increment(ref s_hits) == 1) Thread.Sleep(TimeSpan.FromSeconds(seconds));
            return;
        }
        if (parts[0] != "kill") return;
        int target = parts.Length > 2 && int.TryParse(parts[2], out int n) ? n : 1;
        if (Interlocked.Increment(ref s_hits) == target) Process.GetCurrentProcess().Kill();
    }

    public static void FailTaskIfRequested(int index)
    {
        if (Spec is null || !Spec.StartsWith("fail-task:", StringComparison.Ordinal)) return;
        if (Spec["fail-task:".Length..].Split(',').Contains(index.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            throw new InvalidOperationException($"injected failure of task {index}");
    }

    public static void BeforeWrite(string path)
    {
        if (Spec is null || !Spec.StartsWith("io:", StringComparison.Ordinal)) return;
        if (path.Contains(Spec[3..], StringComparison.Ordinal))
            throw new IOException($"No space left on device (injected fault for {path})");
    }
}
