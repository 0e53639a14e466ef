using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Execution.Slurm;

/// <summary>sbatch options; null fields are left to the cluster's defaults. <see cref="Validate"/> before use.</summary>
internal sealed partial record SlurmOptions(string? Partition = null, string? Gres = null, string? Time = null, int? MaxParallel = null)
{
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}(,[A-Za-z0-9_.-]{1,64})*$", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionPattern();

    /// <summary>name[:type][:count], comma-separated (gpu:1, gpu:a100:2, gpu:2,mps:100).</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,2}(,[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+){0,2})*$", RegexOptions.CultureInvariant)]
    private static partial Regex GresPattern();

    /// <summary>Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S; or UNLIMITED / INFINITE.</summary>
    [GeneratedRegex(@"^([0-9]{1,9}(:[0-9]{1,9}){0,2}|[0-9]{1,9}-[0-9]{1,9}(:[0-9]{1,9}){0,2}|UNLIMITED|INFINITE)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex TimePattern();

    /// <summary>
    /// Every value that reaches the sbatch script must be one Slurm accepts, from a character set that
    /// needs no quoting: a newline in --partition would otherwise end the #SBATCH line and run the
    /// rest as a command on the cluster. Errors name the flag and show the value on one line.
    /// </summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Partition is not null && !PartitionPattern().IsMatch(Partition))
            errors.Add($"partition = {SlurmBackend.Printable(Partition)}: expected a Slurm partition name (letters, digits, '_', '.', '-'; several separated by ',')");
        if (Gres is not null && !GresPattern().IsMatch(Gres))
            errors.Add($"gres = {SlurmBackend.Printable(Gres)}: expected generic resources such as gpu:1 or gpu:a100:2 (letters, digits, '_', '.', '-', ':' and ',')");
        if (Time is not null && !TimePattern().IsMatch(Time))
            errors.Add($"time = {SlurmBackend.Printable(Time)}: expected a Slurm time limit: minutes, minutes:seconds, hours:minutes:seconds, " +
                       "days-hours, days-hours:minutes, days-hours:minutes:seconds, or UNLIMITED");
        if (MaxParallel is < 1)
            errors.Add($"max-parallel = {MaxParallel}: expected an integer >= 1");
        if (errors.Count > 0) throw new InvalidConfigurationException(string.Join("; ", errors));
    }
}

internal sealed record SlurmSubmission(string JobId, int[] Indices, string ScriptPath, SlurmOptions Options, string SubmittedUtc);

internal enum TaskState { Done, Running, Pending, Failed, Missing }

internal sealed record TaskStatus(int Index, TaskId Task, TaskState State, string? Detail);

/// <summary>
/// Runs a planned run folder as a Slurm job array: one array element per unfinished task, each
/// calling `memscore task RUN` (which reads SLURM_ARRAY_TASK_ID). State comes from the
/// result files, the failure records and squeue (sacct needs slurmdbd, which many clusters lack).
/// </summary>
internal sealed class SlurmBackend(ICommandRunner commands)
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
    public int[] TasksToSubmit(RunReader context)
    {
        // With a target reliability, repeats past its stop are not submitted (an element started anyway exits at once).
        var target = RepeatStopping.Evaluate(context);
        return Status(context).Where(s => s.State is TaskState.Failed or TaskState.Missing && (target?.Needs(s.Task.Repeat) ?? true))
            .Select(s => s.Index).ToArray();
    }

    /// <summary>
    /// Writes the array script. Values in #SBATCH lines come from a validated safe character set
    /// (<see cref="SlurmOptions.Validate"/>); sbatch parses those lines itself, with rules that differ from bash
    /// and between Slurm versions, so the log paths, which contain the run folder's path, are passed on sbatch's
    /// command line instead (<see cref="SbatchArguments"/>). The one shell line quotes every value (<see cref="Quote"/>).
    /// <paramref name="workerPreload"/> (the submitting process's LD_PRELOAD, say a tcmalloc) is exported to the workers.
    /// </summary>
    public string WriteScript(RunReader context, int[] indices, SlurmOptions options, string workerCommand, string? workerPreload = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = context.Folder;
        if (context.Config.FoldEnsembles)
            throw new InvalidConfigurationException($"{folder.ManifestPath}: fold-ensembles = true trains the folds of a repeat together, " +
                "which the one-task-per-array-element job cannot do; run it with `memscore run` and the flags that planned it (including --fold-ensembles), " +
                "or plan the run without --fold-ensembles");
        options.Validate();
        RequireUsablePath(folder.Root);
        string hash = context.Manifest.ConfigHash;
        if (hash.Length < 8 || !hash.All(char.IsAsciiHexDigit))
            throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ManifestPath}: config_hash = {Printable(hash)}: expected hexadecimal digits");
        Directory.CreateDirectory(Path.Combine(folder.SlurmDirectory, "logs"));
        string array = CompressRanges(indices) + (options.MaxParallel is int max ? $"%{max}" : "");
        var script = new StringBuilder()
            .AppendLine("#!/bin/bash")
            .AppendLine($"#SBATCH --job-name=memscore-{hash[..8]}")
            .AppendLine($"#SBATCH --array={array}")
            .AppendLine($"#SBATCH --cpus-per-task={context.Config.Threads}");
        if (options.Partition is not null) script.AppendLine($"#SBATCH --partition={options.Partition}");
        if (options.Gres is not null) script.AppendLine($"#SBATCH --gres={options.Gres}");
        if (options.Time is not null) script.AppendLine($"#SBATCH --time={options.Time}");
        script.AppendLine("# logs: RUN/slurm/logs/task_<index>.out and .err (given on sbatch's command line by `memscore slurm submit`)");
        script.AppendLine("set -euo pipefail");
        if (!string.IsNullOrEmpty(workerPreload) && !workerPreload.Any(char.IsControl)) script.AppendLine($"export LD_PRELOAD={Quote(workerPreload)}");
        script.AppendLine($"exec {workerCommand} task {Quote(folder.Root)}");
        string path = Path.Combine(folder.SlurmDirectory, $"array-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.sbatch");
        AtomicFile.WriteAllText(path, script.ToString());
        return path;
    }

    /// <summary>The arguments of the sbatch call for <paramref name="scriptPath"/>: one argv entry each, never parsed by a shell.</summary>
    public IReadOnlyList<string> SbatchArguments(RunFolder folder, string scriptPath)
    {
        RequireUsablePath(folder.Root);
        string Pattern(string stream) => LogPath(folder, 0, stream).Replace("%", "%%").Replace("task_0.", "task_%a.");
        return ["--parsable", $"--output={Pattern("out")}", $"--error={Pattern("err")}", scriptPath];
    }

    /// <summary>Slurm cannot express a log path with control characters, and a backslash turns its %a patterns off.</summary>
    static void RequireUsablePath(string root)
    {
        if (root.Any(c => char.IsControl(c) || c == '\\'))
            throw new InvalidConfigurationException(
                $"run = {Printable(root)}: Slurm cannot use a run folder whose path holds control characters (newlines, tabs) or backslashes; move or rename the folder");
    }

    public SlurmSubmission Submit(RunReader context, int[] indices, SlurmOptions options, string scriptPath)
    {
        var result = commands.Run("sbatch", SbatchArguments(context.Folder, scriptPath));
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

    public IReadOnlyList<TaskStatus> Status(RunReader context)
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

    static bool TryLoad(RunReader context, TaskId task)
    {
        try { return context.LoadResult(task) is not null; }
        catch (MemScoreException) { return false; }
    }

    string FailureDetail(RunReader context, TaskId task, int index)
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

    /// <summary>Single-quotes a word for bash: inside '...' nothing is special; a ' is written as '\''.</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>A value for an error message on one line: quoted, control characters as \n, \xNN.</summary>
    public static string Printable(string s) =>
        "\"" + string.Concat(s.Select(c => c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\x{(int)c:x2}", _ => c.ToString() })) + "\"";
}
