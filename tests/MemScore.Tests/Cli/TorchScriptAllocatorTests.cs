using MemScore.Cli;

namespace MemScore.Tests.Cli;

/// <summary>Slurm workers of a torchscript run must not inherit tcmalloc from the submitting shell (PLATFORM trap).</summary>
public class TorchScriptAllocatorTests
{
    const string Tcmalloc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";

    [Fact]
    public void A_torchscript_run_exports_the_preload_without_tcmalloc()
    {
        Assert.Null(TorchScriptAllocator.WorkerPreload("torchscript", Tcmalloc));
        Assert.Equal("/opt/other.so", TorchScriptAllocator.WorkerPreload("torchscript", $"{Tcmalloc}:/opt/other.so"));
    }

    [Fact]
    public void Built_in_families_keep_the_preload_as_it_is()
    {
        Assert.Equal(Tcmalloc, TorchScriptAllocator.WorkerPreload("bernoulli-mlp-vae", Tcmalloc));
        Assert.Null(TorchScriptAllocator.WorkerPreload("bernoulli-mlp-vae", null));
    }
}
