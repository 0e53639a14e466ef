using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>
/// Noise drawn inside a TorchScript module (torch.randn) comes from libtorch's one process-wide
/// generator, which every worker of the process shares. Each call into a module therefore holds
/// this lock, seeds the global generator with a seed drawn from the task's own generator, and runs
/// the call to completion: the draws a task sees depend only on its seed, however many workers run.
/// Forward calls of this family's modules thus run one at a time within a process (backward and Adam overlap).
/// </summary>
internal static class GlobalGeneratorLock
{
    static readonly Lock Gate = new();

    /// <summary>The seed of the global generator for one call: one draw from <paramref name="noise"/>.</summary>
    public static long DrawSeed(Generator noise)
    {
        using var draw = randint(0, long.MaxValue, [1], dtype: ScalarType.Int64, generator: noise);
        return draw.item<long>();
    }

    /// <summary>Runs <paramref name="call"/> with the global generator seeded by <see cref="DrawSeed"/>.</summary>
    public static T Run<T>(Generator noise, Func<T> call) => RunSeeded(DrawSeed(noise), call);

    /// <summary>Runs <paramref name="call"/> with the global generator seeded by <paramref name="seed"/>.</summary>
    public static T RunSeeded<T>(long seed, Func<T> call)
    {
        lock (Gate)
        {
            random.manual_seed(seed);
            return call();
        }
    }
}
