using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MemScore.Core;

/// <summary>
/// Names of MemScore's temporary files and folders, and the clean-up of those whose writer is gone.
/// A temporary path sits beside its target and is named ".TARGET.memscore-HOST-PID-RANDOM.tmp": the
/// marker says MemScore made it, host and pid say which process owns it. Clean-up touches only names
/// of exactly this form, and only when the owner is provably gone: on this host, no process with that
/// pid runs (or the one that does started after the file was last written, so the pid was reused); on
/// another host sharing the folder, the path has not been written for <see cref="ForeignHostAge"/>.
/// A user's own ".*.tmp" files and the files of a live worker (say a `memscore task` writing its
/// result while `memscore run` starts on the same folder) are never deleted.
/// </summary>
internal static partial class TemporaryPath
{
    /// <summary>A temporary path of another host is presumed abandoned when untouched this long.</summary>
    public static readonly TimeSpan ForeignHostAge = TimeSpan.FromDays(2);

    /// <summary>This host's name as written into temporary names (characters outside [A-Za-z0-9_.] become '_', at most 40).</summary>
    public static string HostName { get; } = Sanitize(Environment.MachineName);

    [GeneratedRegex(@"^\..+\.memscore-(?<host>[A-Za-z0-9_.]{1,40})-(?<pid>[0-9]{1,10})-[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    static string Sanitize(string host)
    {
        var chars = host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' ? c : '_').Take(40).ToArray();
        return chars.Length == 0 ? "unknown" : new string(chars);
    }

    /// <summary>A fresh temporary path beside <paramref name="target"/> owned by this process (nothing is created).</summary>
    public static string For(string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        return Path.Combine(Path.GetDirectoryName(full)!,
            $".{Path.GetFileName(full)}.memscore-{HostName}-{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Is <paramref name="fileName"/> a name that <see cref="For"/> makes?</summary>
    public static bool IsTemporaryName(string fileName) => Pattern().IsMatch(fileName);

    /// <summary>Is <paramref name="path"/> one of MemScore's temporary paths whose owner is provably gone?</summary>
    public static bool IsAbandoned(string path)
    {
        var match = Pattern().Match(Path.GetFileName(path));
        if (!match.Success) return false;
        DateTime lastWrite;
        try { lastWrite = Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        if (match.Groups["host"].Value != HostName) return DateTime.UtcNow - lastWrite > ForeignHostAge;
        return int.TryParse(match.Groups["pid"].Value, out int pid) && !IsRunning(pid, startedBeforeUtc: lastWrite);
    }

    /// <summary>
    /// Is process <paramref name="pid"/> of this host running? With <paramref name="startedBeforeUtc"/>, a process
    /// that started clearly after that time is a later process that reuses the pid, so it does not count.
    /// </summary>
    public static bool IsRunning(int pid, DateTime? startedBeforeUtc = null)
    {
        if (pid <= 0) return false;
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            if (startedBeforeUtc is { } before)
            {
                try
                {
                    if (process.StartTime.ToUniversalTime() > before + TimeSpan.FromSeconds(5)) return false;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { }
            }
            return true;
        }
        catch (ArgumentException)
        {
            return false;   // no such process
        }
        catch (InvalidOperationException)
        {
            return false;   // exited while looking
        }
    }

    /// <summary>
    /// Deletes the temporary files and folders in <paramref name="directory"/> (not below it) whose owner is
    /// provably gone (<see cref="IsAbandoned"/>); everything else stays. Safe to call without any lock.
    /// </summary>
    public static void DeleteAbandoned(string directory)
    {
        if (!Directory.Exists(directory)) return;
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(directory).ToArray(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string entry in entries)
        {
            if (!IsAbandoned(entry)) continue;
            try
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // gone already, or not ours to delete
        }
    }
}
