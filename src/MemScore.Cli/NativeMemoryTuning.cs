using System.Runtime.InteropServices;

namespace MemScore.Cli;

/// <summary>
/// With glibc's default malloc, training with Adam grows RSS by megabytes per step (PLATFORM.md).
/// Lowering M_MMAP_THRESHOLD to 64 KiB makes large tensor buffers go straight back to the OS.
/// A no-op when another allocator (tcmalloc via the ./memscore launcher) is preloaded or off Linux.
/// </summary>
static class NativeMemoryTuning
{
    const int M_MMAP_THRESHOLD = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int param, int value);

    public static void Apply()
    {
        if (!OperatingSystem.IsLinux()) return;
        if ((Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains("malloc", StringComparison.Ordinal)) return;
        if (Environment.GetEnvironmentVariable("MEMSCORE_MALLOC_TUNING") == "0") return;
        try { Mallopt(M_MMAP_THRESHOLD, 64 * 1024); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
