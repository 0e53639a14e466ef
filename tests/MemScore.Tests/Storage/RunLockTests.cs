using System.Text.Json;
using MemScore.Core;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

public class RunLockTests
{
    [Fact]
    public void Second_holder_fails_fast_naming_the_first()
    {
        using var dir = new TempDirectory();
        using (RunLock.Acquire(dir.Path))
        {
            var error = Assert.Throws<MemScoreException>(() => RunLock.Acquire(dir.Path));
            Assert.Equal(ErrorKind.RunFolder, error.Kind);
            Assert.Contains($"in use by process {Environment.ProcessId} on host {Environment.MachineName} since", error.Message);
        }
        using (RunLock.Acquire(dir.Path)) { }   // released on dispose
        Assert.False(File.Exists(dir["run.lock"]));
    }

    [Fact]
    public void Stale_lock_of_a_dead_process_is_taken_over()
    {
        using var dir = new TempDirectory();
        // A pid above Linux's pid_max (4194304) cannot be running.
        File.WriteAllText(dir["run.lock"], JsonSerializer.Serialize(new { Pid = 5_000_000, Host = Environment.MachineName, StartedUtc = "2026-01-01 00:00:00Z" }));
        using var taken = RunLock.Acquire(dir.Path);
        Assert.Contains($"\"Pid\":{Environment.ProcessId}", File.ReadAllText(dir["run.lock"]));
    }

    [Fact]
    public void Lock_from_another_host_is_never_presumed_stale()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["run.lock"], JsonSerializer.Serialize(new { Pid = 5_000_000, Host = "other-node-17", StartedUtc = "2026-01-01 00:00:00Z" }));
        var error = Assert.Throws<MemScoreException>(() => RunLock.Acquire(dir.Path));
        Assert.Contains("on host other-node-17", error.Message);
    }

    [Fact]
    public void Old_unreadable_lock_is_taken_over_but_a_fresh_one_is_not()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["run.lock"], "{\"Pid\": 12");   // half-written by a killed process
        Assert.Throws<MemScoreException>(() => RunLock.Acquire(dir.Path));
        File.SetLastWriteTimeUtc(dir["run.lock"], DateTime.UtcNow.AddMinutes(-5));
        using var taken = RunLock.Acquire(dir.Path);
    }
}
