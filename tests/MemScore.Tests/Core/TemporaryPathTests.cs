using System.Diagnostics;
using MemScore.Core;
using MemScore.Tests.Support;

namespace MemScore.Tests.Core;

/// <summary>Issue 18 items 1-2: MemScore deletes only its own temporary files, and only when their owner is provably gone.</summary>
public class TemporaryPathTests
{
    static int ExitedPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    static string Named(string directory, string target, string host, int pid) =>
        Path.Combine(directory, $".{target}.memscore-{host}-{pid}-{Guid.NewGuid():N}.tmp");

    [Fact]
    public void Name_carries_marker_host_and_pid_and_sits_beside_the_target()
    {
        using var dir = new TempDirectory();
        string temp = TemporaryPath.For(dir["tasks/r0_f0.npz"]);
        Assert.Equal(dir["tasks"], Path.GetDirectoryName(temp));
        Assert.StartsWith($".r0_f0.npz.memscore-{TemporaryPath.HostName}-{Environment.ProcessId}-", Path.GetFileName(temp));
        Assert.True(TemporaryPath.IsTemporaryName(Path.GetFileName(temp)));
        Assert.NotEqual(temp, TemporaryPath.For(dir["tasks/r0_f0.npz"]));
        Assert.Matches("^[A-Za-z0-9_.]{1,40}$", TemporaryPath.HostName);
    }

    [Theory]
    [InlineData(".notes.tmp")]
    [InlineData(".r0_f0.npz.1234.0123456789abcdef0123456789abcdef.tmp")]   // the pattern of earlier versions
    [InlineData(".x.memscore-host-12-0123.tmp")]
    [InlineData("x.memscore-host-12-0123456789abcdef0123456789abcdef.tmp")]
    [InlineData(".x.memscore-host-12-0123456789abcdef0123456789abcdef.tmp.bak")]
    public void Other_names_are_not_ours(string name) => Assert.False(TemporaryPath.IsTemporaryName(name));

    [Fact]
    public void Clean_up_deletes_only_files_and_folders_whose_owner_is_gone()
    {
        using var dir = new TempDirectory();
        string host = TemporaryPath.HostName;
        string mine = Named(dir.Path, "a", host, Environment.ProcessId);
        string dead = Named(dir.Path, "b", host, ExitedPid());
        string deadFolder = Named(dir.Path, "c.tgz", host, ExitedPid());
        string foreignFresh = Named(dir.Path, "d", "other-host".Replace('-', '_'), 1);
        string foreignOld = Named(dir.Path, "e", "other_host", 1);
        string user = dir[".draft.tmp"];
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        string live = Named(dir.Path, "f", host, sleeper.Id);
        foreach (string f in new[] { mine, dead, foreignFresh, foreignOld, user, live }) File.WriteAllText(f, "x");
        Directory.CreateDirectory(deadFolder);
        File.WriteAllText(Path.Combine(deadFolder, "part"), "x");
        File.SetLastWriteTimeUtc(foreignOld, DateTime.UtcNow - TemporaryPath.ForeignHostAge - TimeSpan.FromHours(1));
        try
        {
            TemporaryPath.DeleteAbandoned(dir.Path);
            Assert.True(File.Exists(mine));
            Assert.True(File.Exists(live));
            Assert.True(File.Exists(user));
            Assert.True(File.Exists(foreignFresh));
            Assert.False(File.Exists(dead));
            Assert.False(Directory.Exists(deadFolder));
            Assert.False(File.Exists(foreignOld));
        }
        finally { sleeper.Kill(); }
    }

    [Fact]
    public void A_pid_reused_by_a_process_started_after_the_file_was_written_does_not_keep_it()
    {
        using var dir = new TempDirectory();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            string file = Named(dir.Path, "a", TemporaryPath.HostName, sleeper.Id);
            File.WriteAllText(file, "x");
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - TimeSpan.FromHours(1));   // written long before the sleeper started
            Assert.True(TemporaryPath.IsAbandoned(file));
        }
        finally { sleeper.Kill(); }
    }
}
