namespace MemScore.Tests.Support;

/// <summary>
/// The test classes that touch state shared by the whole test process: libtorch's global generator
/// (manual_seed, default module initialisation, TorchScript modules), torch.set_num_threads (every
/// in-process run or benchmark), the dispose-scope and finalizer tensor counts, environment
/// variables, Console and the current directory. xunit runs this collection alone, one test at a time.
/// Every class in it also carries the trait <see cref="TraitName"/> = <see cref="TraitValue"/>, so that
/// test.sh can run the collection in a test process of its own beside the parallel classes (their
/// process cannot share its global state); ProcessGlobalStateTraitTests checks that the two agree.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessGlobalState
{
    public const string Name = "process-global state";
    public const string TraitName = "Process";
    public const string TraitValue = "GlobalState";
}
