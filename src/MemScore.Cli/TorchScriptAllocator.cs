namespace MemScore.Cli;

/// <summary>
/// Platform trap: under a preloaded tcmalloc, libtorch 2.10's TorchScript interpreter corrupts its heap (bad_alloc
/// or SIGSEGV while a module loads; tcmalloc's debug build reports memory from new[] freed with delete). ./memscore
/// skips tcmalloc when an argument is "torchscript"; a config file or a resumed run folder is caught here instead.
/// </summary>
public static class TorchScriptAllocator
{
    public static void RequireSystemMalloc(string model)
    {
        if (model != Models.TorchScript.TorchScriptFamily.FamilyName) return;
        string preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        if (preload.Contains("tcmalloc", StringComparison.Ordinal))
            throw new Core.InvalidConfigurationException(
                $"model = torchscript: libtorch's TorchScript interpreter crashes under tcmalloc (LD_PRELOAD={preload}); " +
                "start memscore without it: MEMSCORE_NO_TCMALLOC=1 ./memscore ...");
    }

    /// <summary>The LD_PRELOAD to export to Slurm workers: without tcmalloc for a torchscript run.</summary>
    public static string? WorkerPreload(string model, string? preload)
    {
        if (model != Models.TorchScript.TorchScriptFamily.FamilyName || string.IsNullOrEmpty(preload)) return preload;
        var kept = preload.Split(':', StringSplitOptions.RemoveEmptyEntries).Where(lib => !lib.Contains("tcmalloc", StringComparison.Ordinal));
        string joined = string.Join(':', kept);
        return joined.Length == 0 ? null : joined;
    }
}
