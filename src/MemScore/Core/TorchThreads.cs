namespace MemScore.Core;

/// <summary>
/// The one place that sets libtorch's intra-op thread count. The count changes float results (reduction order,
/// PLATFORM.md), so it is part of the config; a worker thread sets its own share before it computes.
/// </summary>
internal static class TorchThreads
{
    public static void Use(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchSharp.torch.set_num_threads(threads);
    }
}
