using MemScore.Configuration;
using MemScore.Core;

namespace MemScore.Execution;

/// <summary>
/// How `memscore run` spreads work when the user does not say (bench/RESULTS.md, "Executor choice",
/// measured side by side on 2 cores): on CPU, as many workers as fit the cores at config.Threads
/// threads each (never more than there are work units); fold ensembles only when asked for, since
/// they were slower than separate models on CPU. On a GPU one worker: a second model on the same
/// device competes for it.
/// </summary>
public static class ExecutionRule
{
    public static int DefaultWorkers(ExperimentConfig config, int workUnits, int? cores = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (ComputeDevice.NameOf(ComputeDevice.Resolve(config.Device)) == "cuda") return 1;
        int available = cores ?? Environment.ProcessorCount;
        return Math.Clamp(available / Math.Max(1, config.Threads), 1, Math.Max(1, workUnits));
    }
}
