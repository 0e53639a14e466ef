using System.Globalization;
using System.Text;
using System.Text.Json;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Execution.Slurm;

/// <summary>sbatch options; null fields are left to the cluster's defaults.</summary>
public sealed record SlurmOptions(string? Partition = null, string? Gres = null, string? Time = null, int? MaxParallel = null);

public sealed record SlurmSubmission(string JobId, int[] Indices, string ScriptPath, SlurmOptions Options, string SubmittedUtc);

public enum TaskState { Done, Running, Pending, Failed, Missing }

public sealed record TaskStatus(int Index, TaskId Task, TaskState State, string? Detail);

/// <summary>
/// Runs a planned run folder as a Slurm job array: one array element per unfinished task, each
/// calling `memscore task --run RUN` (which reads SLURM_ARRAY_TASK_ID). State comes from the
/// result files, the failure records and squeue (sacct needs slurmdbd, which many clusters lack).
/// </summary>
public sealed class SlurmBackend(ICommandRunner commands)
{
    public string JobsPath(RunFolder folder) => Path.Combine(folder.SlurmDirectory, "jobs.json");
    public string LogPath(RunFolder folder, int index, string stream) => Path.Combine(folder.SlurmDirectory, "logs", $"task_{index}.{stream}");

    public IReadOnlyList<SlurmSubmission> Submissions(RunFolder folder)
    {
        string path = JobsPath(folder);
        if (!File.Exists(path)) return [];
        try { return JsonSerializer.Deserialize<List<SlurmSubmission>>(File.ReadAllText(path)) ?? []; }
        catch (JsonException e) { throw new InvalidInputException(path, $"unreadable job record: {e.Message}", e); }
    }

    /// <summary>Tasks with no valid result that are not queued or running right now.</summary>
    public int[] TasksToSubmit(RunContext context) =>
        Status(context).Where(s => s.State is TaskState.Failed or TaskState.Missing).Select(s => s.Index).ToArray();

    public string WriteScript(RunContext context, int[] indices, SlurmOptions options, string workerCommand)
    {
        var folder = context.Folder;
        if (context.Config.FoldEnsembles)
            throw new InvalidConfigurationException($"{folder.ManifestPath}: fold-ensembles = true trains the folds of a repeat together, " +
                "which the one-task-per-array-element job cannot do; run it with `memscore run` and the flags that planned it (including --fold-ensembles), " +
                "or plan the run without --fold-ensembles");
        Directory.CreateDirectory(Path.Combine(folder.SlurmDirectory, "logs"));
        string array = CompressRanges(indices) + (options.MaxParallel is int max ? $"%{max}" : "");
        var script = new StringBuilder()
            .AppendLine("#!/bin/bash")
            .AppendLine($"#SBATCH --job-name=memscore-{context.Manifest.ConfigHash[..8]}")
            .AppendLine($"#SBATCH --array={array}")
            .AppendLine($"#SBATCH --output={LogPath(folder, 0, "out").Replace("task_0.", "task_%a.")}")
            .AppendLine($"#SBATCH --error={LogPath(folder, 0, "err").Replace("task_0.", "task_%a.")}")
            .AppendLine($"#SBATCH --cpus-per-task={context.Config.Threads}");
        if (options.Partition is not null) script.AppendLine($"#SBATCH --partition={options.Partition}");
        if (options.Gres is not null) script.AppendLine($"#SBATCH --gres={options.Gres}");
        if (options.Time is not null) script.AppendLine($"#SBATCH --time={options.Time}");
        script.AppendLine("set -euo pipefail");
        string? preload = Environment.GetEnvironmentVariable("LD_PRELOAD");
        if (!string.IsNullOrEmpty(preload)) script.AppendLine($"export LD_PRELOAD={Quote(preload)}");
        script.AppendLine($"exec {workerCommand} task --run {Quote(folder.Root)}");
        string path = Path.Combine(folder.SlurmDirectory, $"array-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.sbatch");
        AtomicFile.WriteAllText(path, script.ToString());
        return path;
    }

    public SlurmSubmission Submit(RunContext context, int[] indices, SlurmOptions options, string scriptPath)
    {
        var result = commands.Run("sbatch", ["--parsable", scriptPath]);
        if (result.ExitCode != 0)
            throw new MemScoreException(ErrorKind.External, $"sbatch {scriptPath} failed (exit code {result.ExitCode}): {result.StdErr.Trim()}");
        string jobId = result.StdOut.Trim().Split(';')[0];
        if (jobId.Length == 0 || !jobId.All(char.IsDigit))
            throw new MemScoreException(ErrorKind.External, $"sbatch printed '{result.StdOut.Trim()}', expected a job id");
        var submission = new SlurmSubmission(jobId, indices, scriptPath, options, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        var all = Submissions(context.Folder).Append(submission).ToList();
        AtomicFile.WriteAllText(JobsPath(context.Folder), JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true }));
        return submission;
    }

    public IReadOnlyList<TaskStatus> Status(RunContext context)
    {
        var submissions = Submissions(context.Folder);
        var queued = QueueStates(submissions);
        var lastJob = new Dictionary<int, string>();
        foreach (var s in submissions) foreach (int i in s.Indices) lastJob[i] = s.JobId;
        var statuses = new List<TaskStatus>();
        for (int i = 0; i < context.TaskCount; i++)
        {
            var task = context.TaskAt(i);
            TaskStatus status;
            if (File.Exists(context.Folder.TaskPath(task)) && TryLoad(context, task))
                status = new(i, task, TaskState.Done, null);
            else if (lastJob.TryGetValue(i, out string? job) && queued.TryGetValue((job, i), out string? state))
                status = new(i, task, state == "PENDING" ? TaskState.Pending : TaskState.Running, $"job {job}_{i} {state}");
            else if (File.Exists(context.Folder.TaskFailurePath(task)) || lastJob.ContainsKey(i))
                status = new(i, task, TaskState.Failed, FailureDetail(context, task, i));
            else
                status = new(i, task, TaskState.Missing, null);
            statuses.Add(status);
        }
        return statuses;
    }

    static bool TryLoad(RunContext context, TaskId task)
    {
        try { return context.LoadResult(task) is not null; }
        catch (MemScoreException) { return false; }
    }

    string FailureDetail(RunContext context, TaskId task, int index)
    {
        var lines = new List<string>();
        string record = context.Folder.TaskFailurePath(task);
        if (File.Exists(record))
        {
            try
            {
                var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(record));
                if (fields is not null && fields.TryGetValue("error", out string? error)) lines.Add($"error: {error}");
            }
            catch (JsonException) { lines.Add($"unreadable failure record {record}"); }
        }
        else lines.Add("no result and no longer queued (killed, cancelled or lost)");
        string log = LogPath(context.Folder, index, "err");
        if (File.Exists(log))
            lines.AddRange(File.ReadLines(log).Where(l => l.Trim().Length > 0).TakeLast(3).Select(l => "  " + l));
        return string.Join("\n", lines);
    }

    /// <summary>(job id, array index) -> squeue state, for the recorded jobs that are still queued.</summary>
    Dictionary<(string, int), string> QueueStates(IReadOnlyList<SlurmSubmission> submissions)
    {
        var states = new Dictionary<(string, int), string>();
        if (submissions.Count == 0) return states;
        var result = commands.Run("squeue", ["-h", "-r", "-j", string.Join(",", submissions.Select(s => s.JobId).Distinct()), "-o", "%i|%T"]);
        if (result.ExitCode != 0)
        {
            // squeue rejects ids of jobs that left the queue long ago; then nothing of ours is queued.
            if (result.StdErr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return states;
            throw new MemScoreException(ErrorKind.External, $"squeue failed (exit code {result.ExitCode}): {result.StdErr.Trim()}");
        }
        foreach (string line in result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|');
            var id = parts[0].Split('_');
            if (parts.Length == 2 && id.Length == 2 && int.TryParse(id[1], out int index)) states[(id[0], index)] = parts[1];
        }
        return states;
    }

    /// <summary>[0,1,2,5,7,8] -> "0-2,5,7-8".</summary>
    public static string CompressRanges(IReadOnlyList<int> sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count; i++)
        {
            int start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1) i++;
            parts.Add(start == sorted[i] ? $"{start}" : $"{start}-{sorted[i]}");
        }
        return string.Join(",", parts);
    }

    /// <summary>Single-quotes a word for bash.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
