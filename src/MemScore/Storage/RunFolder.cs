using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>
/// Layout of a run folder:
///   run.json                   manifest (written before training)
///   plan.json                  task index -> repeat, fold (the Slurm array index)
///   run.lock                   held while a process works on the folder
///   tasks/r{repeat}_f{fold}.npz one file per finished task
///   checkpoints/r{repeat}_f{fold}.npz state of an unfinished task (deleted when it finishes)
///   checkpoints/r{repeat}_ensemble.npz state of an unfinished fold ensemble (--fold-ensembles)
///   scores.csv                 U, V, M per example at the last evaluation epoch
///   scores_by_epoch.csv        the same for every evaluation epoch
///   summary.npz                U, V, M [n, evaluations], C (labels), epochs, index, n_in, n_out
/// </summary>
public sealed class RunFolder
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

    /// <summary>Removes temporary files a killed process left behind (call while holding the run lock).</summary>
    public void DeleteLeftovers()
    {
        foreach (string directory in new[] { Root, TasksDirectory, CheckpointsDirectory })
            AtomicFile.DeleteLeftovers(directory);
    }

    /// <summary>Creates the folders and proves they are writable, before any work starts.</summary>
    public void EnsureWritable()
    {
        try
        {
            Directory.CreateDirectory(Root);
            Directory.CreateDirectory(TasksDirectory);
            Directory.CreateDirectory(CheckpointsDirectory);
            string probe = Path.Combine(Root, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MemScoreException(ErrorKind.RunFolder, $"{Root}: output folder is not writable: {e.Message}", e);
        }
    }
}
