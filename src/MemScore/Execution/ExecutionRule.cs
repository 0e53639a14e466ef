using MemScore.Configuration;
using MemScore.Core;

namespace MemScore.Execution;

/// <summary>
/// How `memscore run` spreads work when the user does not say (bench/RESULTS.md, "Executor choice",
/// measured side by side on 2 cores): on CPU, as many workers as fit the cores at config.Threads
/// threads each, never more than there are work units, and no more than one per
/// <see cref="MemoryPerWorkerBytes"/> of the machine's memory; fold ensembles only when asked for,
/// since they were slower than separate models on CPU. On a GPU one worker: a second model on the
/// same device competes for it.
/// </summary>
internal static class ExecutionRule
{
    /// <summary>
    /// Memory set aside per worker. Protocol (c) peaked at 828 MB with 2 MLP VAE workers including the
    /// 60,000 images; DC-VAEs and flows need more per model, so 1.5 GiB leaves room.
    /// </summary>
    public const long MemoryPerWorkerBytes = 3L << 29;

    /// <summary>--checkpoint-every: every command that trains accepts the same values (0 = never), and refuses the rest the same way.</summary>
    public static void RequireCheckpointEvery(int checkpointEvery)
    {
        if (checkpointEvery < 0)
            throw new InvalidConfigurationException($"checkpoint-every = {checkpointEvery}: expected an integer >= 0 (epochs between checkpoints; 0 = never)");
    }

    /// <summary>Units of work `run` schedules: one per task, or with fold-ensembles one per repeat.</summary>
    public static int WorkUnits(ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.FoldEnsembles ? config.Repeats : config.Folds * config.Repeats;
    }

    /// <summary>The workers `run` uses: <paramref name="requested"/> (--workers) or the default, never more than there are work units.</summary>
    public static int Workers(ExperimentConfig config, int? requested)
    {
        if (requested is < 1) throw new InvalidConfigurationException($"workers = {requested}: expected an integer >= 1");
        int units = WorkUnits(config);
        return Math.Min(requested ?? DefaultWorkers(config, units), units);
    }

    public static int DefaultWorkers(ExperimentConfig config, int workUnits, int? cores = null, long? memoryBytes = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (ComputeDevice.NameOf(ComputeDevice.Resolve(config.Device)) == "cuda") return 1;
        int byCores = (cores ?? Environment.ProcessorCount) / Math.Max(1, config.Threads);
        long memory = memoryBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        int byMemory = (int)Math.Min(int.MaxValue, memory / MemoryPerWorkerBytes);
        return Math.Clamp(Math.Min(byCores, byMemory), 1, Math.Max(1, workUnits));
    }
}
