namespace MemScore.Tests.Support;

/// <summary>
/// The test classes that touch state shared by the whole test process: libtorch's global generator
/// (manual_seed, default module initialisation, TorchScript modules), torch.set_num_threads (every
/// in-process run or benchmark), the dispose-scope and finalizer tensor counts, environment
/// variables, Console and the current directory. xunit runs this collection alone, after the
/// parallel collections (every other class is its own collection and runs in parallel).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessGlobalState
{
    public const string Name = "process-global state";
}
