using MemScore.Configuration;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;

namespace MemScore.Execution;

/// <summary>
/// --export-pytorch of `run` and `full`: a trained model's weights as a PyTorch state dict (<see cref="PyTorchStateDict"/>)
/// beside its results. A task writes tasks/r{repeat}_f{fold}.pt before its task file, so every task an exporting run
/// finished has one; its checkpoint is deleted when it finishes, so a run's weights must be asked for before its tasks
/// train. A full run keeps its final weights in model.npz, so model.pt is converted from it, also for a finished run.
/// </summary>
internal static class PyTorchExport
{
    /// <summary>Refuses a family without a matching PyTorch module, and fold ensembles, before anything is written.</summary>
    public static void RequireExportable(ExperimentConfig config, ModelRegistry models)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(models);
        if (models.Get(config.Model).PyTorchModule is null)
            throw new InvalidConfigurationException($"--export-pytorch: model = {config.Model} cannot be exported: no PyTorch module with matching " +
                $"state_dict names is defined for it; exportable families: {string.Join(", ", models.All.Where(f => f.PyTorchModule is not null).Select(f => f.Name))}");
        if (config.FoldEnsembles)
            throw new InvalidConfigurationException("--export-pytorch: fold-ensembles = true trains the folds as one stacked network, " +
                "whose weights are no single model's state_dict; run without --fold-ensembles");
    }

    public static string TaskPath(RunFolder folder, TaskId task)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return Path.Combine(folder.TasksDirectory, task.FileStem + PyTorchStateDict.Extension);
    }

    /// <summary>Refuses to resume an exporting run over tasks that finished without the export: their weights are gone.</summary>
    public static void RequireNoUnexportedTasks(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var folder = context.Folder;
        var missing = Enumerable.Range(0, context.TaskCount).Select(context.TaskAt)
            .Where(t => File.Exists(folder.TaskPath(t)) && !File.Exists(TaskPath(folder, t))).Select(t => t.FileStem).ToArray();
        if (missing.Length == 0) return;
        throw new InvalidConfigurationException($"--export-pytorch: {folder.TasksDirectory}: {missing.Length} task(s) finished without it " +
            $"({string.Join(", ", missing.Take(5))}{(missing.Length > 5 ? ", ..." : "")}), and a finished task keeps no weights; " +
            "delete their .npz files to train them again with the export, or resume without --export-pytorch");
    }

    public static void WriteTask(RunFolder folder, TaskId task, IDensityModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = model as ICheckpointable ?? throw new InvalidConfigurationException($"--export-pytorch: {model.Describe().Name} has no saved state to export");
        PyTorchStateDict.Write(TaskPath(folder, task), state.SaveState());
    }

    /// <summary>model.pt from the finished full run's model.npz.</summary>
    public static void WriteFullModel(FullRunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!File.Exists(folder.ModelPath))
            throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ModelPath}: missing; the full run's final weights are needed for --export-pytorch");
        PyTorchStateDict.Write(folder.PyTorchModelPath, Npz.Read(folder.ModelPath));
    }
}
