using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>
/// Layout of a run folder:
///   run.json                   manifest (written before training)
///   plan.json                  task index -> repeat, fold (the Slurm array index)
///   examples.npz               index (source index) and label of each example (Storage.RunExamples)
///   run.lock                   held while a process works on the folder
///   tasks/r{repeat}_f{fold}.npz one file per finished task
///   tasks/r{repeat}_f{fold}.pt  its final weights as a PyTorch state dict (--export-pytorch; Execution.PyTorchExport)
///   checkpoints/r{repeat}_f{fold}.npz state of an unfinished task (deleted when it finishes)
///   checkpoints/r{repeat}_ensemble.npz state of an unfinished fold ensemble (--fold-ensembles)
///   scores.csv                 U, V, M per example at the last evaluation epoch
///   scores_by_epoch.csv        the same for every evaluation epoch
///   summary.npz                U, V, M [n, evaluations], C (labels), epochs, index, n_in, n_out
///   target.json                --target-reliability rule (RepeatTarget); target_progress.json where it stands
/// </summary>
internal sealed class RunFolder
{
    public string Root { get; }

    public RunFolder(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string ManifestPath => Path.Combine(Root, "run.json");
    public string PlanPath => Path.Combine(Root, "plan.json");
    public string SlurmDirectory => Path.Combine(Root, "slurm");
    public string TaskLockPath(TaskId task) => Path.Combine(TasksDirectory, task.FileStem + ".lock");
    public string TaskFailurePath(TaskId task) => Path.Combine(TasksDirectory, task.FileStem + ".failed.json");
    public string TasksDirectory => Path.Combine(Root, "tasks");
    public string ScoresCsvPath => Path.Combine(Root, "scores.csv");
    public string ScoresByEpochCsvPath => Path.Combine(Root, "scores_by_epoch.csv");
    public string SummaryPath => Path.Combine(Root, "summary.npz");
    public string TaskPath(TaskId task) => Path.Combine(TasksDirectory, task.FileStem + ".npz");
    public string CheckpointsDirectory => Path.Combine(Root, "checkpoints");
    public string CheckpointPath(TaskId task) => Path.Combine(CheckpointsDirectory, task.FileStem + ".npz");
    /// <summary>The checkpoint of a fold ensemble (all folds of one repeat, --fold-ensembles).</summary>
    public string EnsembleCheckpointPath(int repeat) => Path.Combine(CheckpointsDirectory, $"r{repeat}_ensemble.npz");

    /// <summary>Names MemScore writes directly in a run folder (besides its temporary files).</summary>
    static readonly HashSet<string> OwnEntries = new(StringComparer.Ordinal)
    {
        "run.json", "plan.json", "examples.npz", "run.lock", "tasks", "checkpoints", "slurm", "report", "scores.csv", "scores_by_epoch.csv", "summary.npz",
        "target.json", "target_progress.json", DedupFile.Name, NearDuplicatesCache.Name,
    };

    /// <summary>
    /// Removes temporary files whose writer is gone (<see cref="TemporaryPath.DeleteAbandoned"/>): never a
    /// user's file, never one of a live process such as a `memscore task` worker on the same folder.
    /// </summary>
    public void DeleteLeftovers()
    {
        foreach (string directory in new[] { Root, TasksDirectory, CheckpointsDirectory })
            AtomicFile.DeleteLeftovers(directory);
    }

    /// <summary>
    /// Refuses an existing folder that is neither empty nor a run folder (exit 4), then creates the
    /// folders and proves they are writable, before any work starts.
    /// </summary>
    public void EnsureWritable()
    {
        OutputFolder.RefuseForeign(Root, "run.json", OwnEntries.Contains, "MemScore run folder");
        WritableFolder.Ensure(Root, "output folder");
        WritableFolder.Ensure(TasksDirectory, "output folder");
        WritableFolder.Ensure(CheckpointsDirectory, "output folder");
    }
}
