using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;

namespace MemScore.Execution;

/// <summary>
/// Creates (or re-opens) a run folder: validates the config, loads the data once to fix its hash
/// and size, runs the family's sanity pass on two examples (<see cref="ModelSanityCheck"/>), writes
/// run.json and plan.json (task index -> repeat, fold) and, with a target reliability, target.json.
/// Trains only the sanity step, and not even that on a folder where every task has its result.
/// </summary>
internal sealed class RunPlanner(DatasetRegistry datasets, ModelRegistry models)
{
    public RunContext Plan(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = request.Config;
        ConfigValidator.Validate(config, datasets, models);
        request.Target?.RequireCompatible(config);
        ExecutionRule.RequireCheckpointEvery(request.CheckpointEvery);
        OutputFolder.RefuseInsideData(request.OutputDirectory, config.DataDir);
        var folder = new RunFolder(request.OutputDirectory);
        var previous = File.Exists(folder.ManifestPath) ? RunManifest.Read(folder.ManifestPath, config) : null;
        if (previous is not null && previous.ConfigHash != config.Hash())
        {
            // Runs made before the default changed recorded all cores; say how to resume them.
            string threadsHint = previous.Config.Threads != config.Threads
                ? $" (the default --threads of run changed from all cores to 1 in MemScore 0.2; add --threads {previous.Config.Threads} to resume this run)" : "";
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{folder.ManifestPath}: this run folder was made with a different config ({string.Join("; ", config.DiffAgainst(previous.Config))}); " +
                $"rerun with the same settings to resume, or choose a new --out{threadsHint}");
        }
        folder.EnsureWritable();
        string cache = request.CacheDirectory ?? previous?.CacheDirectory ?? datasets.DefaultCacheDirectory;
        var family = models.Get(config.Model);
        var data = TrainingData.Prepare(config, datasets, cache, family.InputFor(config.ModelOptions), request.Download,
            recorded: previous is null ? null : DedupFile.Recorded(folder.Root, config, previous.DatasetHash));
        try
        {
            // Before run.json and plan.json exist: the family works on these data and fits in memory (for `plan`, one worker).
            // A folder that holds every task's result trains nothing more (a rerun that only aggregates): no model is built.
            if (previous is null || !EveryTaskHasAResult(folder, config))
                ModelSanityCheck.Run(config, family, data, request.Workers is int w ? ExecutionRule.Workers(config, w) : 1);
        }
        catch
        {
            data.Dispose();
            throw;
        }
        var manifest = previous ?? RunManifest.Create(config, data.ContentHash, data.Count, data.ImageShape, family.InputFor(config.ModelOptions)) with { CacheDirectory = Path.GetFullPath(cache) };
        var context = RunContext.FromData(folder, manifest, data);
        if (previous is null) AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        if (!File.Exists(RunExamples.PathIn(folder))) context.Examples!.Write(folder);
        DedupFile.WriteIfDeduplicated(folder.Root, data, config.Dedup is not null);
        if (!File.Exists(folder.PlanPath)) AtomicFile.WriteAllText(folder.PlanPath, PlanJson(context));
        request.Target?.Write(folder);   // a new target on a rerun replaces the recorded one: task files do not depend on it
        return context;
    }

    static bool EveryTaskHasAResult(RunFolder folder, ExperimentConfig config) =>
        TaskId.All(config.Repeats, config.Folds).All(t => File.Exists(folder.TaskPath(t)));

    static string PlanJson(RunContext context)
    {
        var tasks = new JsonArray();
        for (int i = 0; i < context.TaskCount; i++)
        {
            var task = context.TaskAt(i);
            tasks.Add(new JsonObject
            {
                ["index"] = i, ["repeat"] = task.Repeat, ["fold"] = task.Fold,
                ["held_out"] = context.Plan.HeldOut(task).Length, ["result"] = Path.GetRelativePath(context.Folder.Root, context.Folder.TaskPath(task)),
            });
        }
        return new JsonObject { ["config_hash"] = context.Manifest.ConfigHash, ["tasks"] = tasks }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
