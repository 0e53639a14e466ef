using MemScore.Configuration;
using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>
/// A run folder opened for reading: its manifest, fold plan, task results and examples, without the
/// data (status, aggregate, report numbers, Slurm). Execution's RunContext adds the data for training.
/// </summary>
internal class RunReader
{
    public required RunFolder Folder { get; init; }
    public required RunManifest Manifest { get; init; }
    public required FoldPlan Plan { get; init; }
    public ExperimentConfig Config => Manifest.Config;
    public int TaskCount => Plan.Folds * Plan.Repeats;
    /// <summary>Which in-models each example keeps (--in-models); null = all.</summary>
    public InModelSubset? InModels { get; init; }

    /// <summary>Each example's label and source index (examples.npz, or the data); null for an older run folder opened without data.</summary>
    public RunExamples? Examples { get; init; }

    /// <summary>Reads run.json and examples.npz only; no data set is loaded.</summary>
    public static RunReader Open(string runDirectory)
    {
        var folder = new RunFolder(runDirectory);
        var manifest = ReadManifest(folder);
        var plan = new FoldPlan(manifest.Examples, manifest.Config.Folds, manifest.Config.Repeats, manifest.Config.Seed);
        return new RunReader
        {
            Folder = folder, Manifest = manifest, Plan = plan, InModels = InModelSubset.For(manifest.Config.InModels, plan, manifest.Config.Seed),
            Examples = RunExamples.TryRead(folder, manifest.Examples),
        };
    }

    public static RunManifest ReadManifest(RunFolder folder)
    {
        if (!File.Exists(folder.ManifestPath))
            throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ManifestPath}: not found; create the run with `memscore plan` or `memscore run` first");
        return RunManifest.Read(folder.ManifestPath);
    }

    /// <summary>Task index i is repeat i / K, fold i % K (the order of the plan and of Slurm array indices).</summary>
    public TaskId TaskAt(int index)
    {
        if (index < 0 || index >= TaskCount)
            throw new InvalidConfigurationException($"index = {index}: expected 0..{TaskCount - 1} ({Plan.Repeats} repeats x {Plan.Folds} folds)");
        return new TaskId(index / Plan.Folds, index % Plan.Folds);
    }

    public static int IndexOf(TaskId task, int folds) => task.Repeat * folds + task.Fold;

    /// <summary>The finished result of <paramref name="task"/>, or null if none; foreign or broken results are errors.</summary>
    public TaskResult? LoadResult(TaskId task)
    {
        string path = Folder.TaskPath(task);
        if (!File.Exists(path)) return null;
        var result = TaskResultFile.Read(path, TaskResultFile.MaxBytes(Plan.Count, Config.EvaluationEpochs().Length, Config.Epochs));
        if (result.ConfigHash != Manifest.ConfigHash)
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result belongs to config {result.ConfigHash}, this run is {Manifest.ConfigHash}; delete it or use a new --out");
        if (result.Task != task || !result.HeldOut.SequenceEqual(Plan.HeldOut(task)))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result is for {result.Task} with another fold split; delete it or use a new --out");
        if (result.LogLikelihoods.Any(row => row.Length != Plan.Count) || !result.EvaluationEpochs.SequenceEqual(Config.EvaluationEpochs()))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result has another shape than this run ({Plan.Count} examples, epochs {string.Join(",", Config.EvaluationEpochs())})");
        if (result.TrainLoss.Length != Config.Epochs)
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: 'train_loss' has {result.TrainLoss.Length} entries, this run trains {Config.Epochs} epochs; delete it or use a new --out");
        double maxEss = Config.ImportanceSamples * (1 + ResultValues.EssTolerance);
        if (result.EffectiveSampleSizes?.SelectMany(row => row).FirstOrDefault(s => s > maxEss) is { } ess and > 0)
            throw new MemScoreException(ErrorKind.RunFolder, FormattableString.Invariant($"{path}: 'ess' holds {ess}, more than is-samples = {Config.ImportanceSamples}; the file is damaged: delete it to retrain the task"));
        if (!InModelSubset.SameRows(result.Evaluated, InModels?.RowsToEvaluate(task)))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: result evaluated other examples than --in-models {Config.InModels?.ToString() ?? "(all)"} asks of {task}; delete it or use a new --out");
        return result;
    }
}
