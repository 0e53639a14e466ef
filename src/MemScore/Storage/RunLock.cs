using System.Globalization;
using System.Text.Json;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// An exclusive lock on a run folder: run.lock holds the owner's pid, host and start time. A second
/// process fails fast naming the holder. A lock whose process is gone (same host, pid not running)
/// is stale and taken over. On shared filesystems across hosts, a lock from another host is never
/// presumed stale: delete it by hand once you are sure its job has ended.
/// </summary>
internal sealed class RunLock : IDisposable
{
    sealed record Owner(int Pid, string Host, string StartedUtc);

    readonly string _path;
    int _released;

    /// <summary>
    /// The lock is also released when the process ends in order without disposing it (Environment.Exit,
    /// e.g. the CLI's exit after a second Ctrl-C while a step cannot be cancelled), so it is not left for
    /// the next run to take over. A killed process (SIGKILL) leaves it; that is what staleness is for.
    /// </summary>
    RunLock(string path)
    {
        _path = path;
        AppDomain.CurrentDomain.ProcessExit += ReleaseAtExit;
    }

    void ReleaseAtExit(object? sender, EventArgs e) => Dispose();

    public static RunLock Acquire(string runDirectory) => AcquireFile(Path.Combine(runDirectory, "run.lock"), runDirectory);

    /// <summary>Locks one file path (e.g. a single task's lock); <paramref name="subject"/> names what is locked in errors.</summary>
    public static RunLock AcquireFile(string path, string subject)
    {
        if (Directory.Exists(path))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: is a folder, not MemScore's lock file; remove it and rerun");
        for (int attempt = 0; attempt < 2; attempt++)
        {
            bool created;
            try { created = TryCreate(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MemScoreException(ErrorKind.RunFolder, $"{path}: cannot create the lock file: {e.Message}", e);
            }
            if (created) return new RunLock(path);
            var owner = ReadOwner(path);
            if (owner is null || IsStale(owner))
            {
                File.Delete(path);
                continue;
            }
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{subject}: in use by process {owner.Pid} on host {owner.Host} since {owner.StartedUtc}; " +
                "wait for it to finish (or stop it) and rerun");
        }
        throw new MemScoreException(ErrorKind.RunFolder, $"{subject}: another process took the run lock at the same moment; retry");
    }

    /// <summary>
    /// Writes the owner record to a temporary file and links it into place without overwriting, so
    /// the lock never exists half-written (a SIGKILL mid-write used to leave an unreadable lock that
    /// blocked an immediate rerun for 10 s). Temporary files of killed processes are leftovers
    /// removed at the next start once their owner is gone (<see cref="TemporaryPath.DeleteAbandoned"/>).
    /// </summary>
    static bool TryCreate(string path)
    {
        string temporary = TemporaryPath.For(path);
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        var owner = new Owner(Environment.ProcessId, Environment.MachineName,
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, owner);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);   // fails if the lock exists (link + unlink on Linux)
            return true;
        }
        catch (IOException)
        {
            File.Delete(temporary);
            if (File.Exists(path)) return false;
            throw;
        }
    }

    const long MaxLockBytes = 1 << 16;

    static Owner? ReadOwner(string path)
    {
        // A FIFO or a device in its place (say, a link to /dev/zero) is named, not read: it would block or never end.
        if (InputFile.Stat(path) is { } status && (status.Kind != FileKind.Regular || status.Size > MaxLockBytes))
        {
            InputFile.RequireRegular(path, ErrorKind.RunFolder, "MemScore's lock file");
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: {status.Size} bytes, not MemScore's lock file; remove it and rerun");
        }
        try
        {
            var owner = JsonSerializer.Deserialize<Owner>(File.ReadAllText(path));
            if (owner is not null) return owner;
        }
        catch (Exception e) when (e is JsonException or IOException) { }
        // Unreadable: either being written right now, or left half-written by a killed process.
        bool old = File.Exists(path) && DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > TimeSpan.FromSeconds(10);
        return old ? null : new Owner(-1, "unknown", "a moment ago");
    }

    /// <summary>The owner ran on this host and its pid is gone (or now belongs to a process started after the lock was taken).</summary>
    static bool IsStale(Owner owner)
    {
        if (owner.Pid <= 0 || owner.Host != Environment.MachineName) return false;
        bool knownStart = DateTime.TryParseExact(owner.StartedUtc, "yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var started);
        return !TemporaryPath.IsRunning(owner.Pid, knownStart ? started : null);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= ReleaseAtExit;
        try { File.Delete(_path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
