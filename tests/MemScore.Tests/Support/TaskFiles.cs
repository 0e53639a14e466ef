using MemScore.Storage;

namespace MemScore.Tests.Support;

/// <summary>Checks shared by the tests that require two run folders to hold bit-identical task files.</summary>
public static class TaskFiles
{
    /// <summary>Both runs hold <paramref name="count"/> task files with the same arrays, bit for bit ("meta" holds the seconds a task took).</summary>
    public static void AssertSame(string a, string b, int count)
    {
        var files = Directory.GetFiles(Path.Combine(a, "tasks"), "*.npz").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(count, files.Length);
        foreach (string? file in files)
        {
            var one = Npz.Read(Path.Combine(a, "tasks", file!));
            var two = Npz.Read(Path.Combine(b, "tasks", file!));
            Assert.Equal(one.Keys.Order(), two.Keys.Order());
            foreach (string key in one.Keys.Where(k => k != "meta"))
                Assert.True(one[key].Data.SequenceEqual(two[key].Data), $"{file}:{key} differs between {a} and {b}");
        }
    }

    /// <summary>Runs `memscore run ARGS` with --workers 1 into dir["1"] and with --workers 2 into dir["2"]; both must succeed.</summary>
    public static void RunWithOneAndTwoWorkers(TempDirectory dir, string[] args)
    {
        foreach (string workers in new[] { "1", "2" })
        {
            var result = CliProcess.Run(["run", .. args, "--workers", workers, "--out", dir[workers]]);
            Assert.True(result.ExitCode == 0, result.StdErr);
        }
    }

    /// <summary>Runs `memscore run ARGS` uninterrupted into dir["whole"] and, into dir["resumed"], killed by itself
    /// right after its first checkpoint and then resumed; returns the two folders.</summary>
    public static (string Whole, string Resumed) RunWholeAndKilledAfterCheckpoint(TempDirectory dir, string[] args)
    {
        var whole = CliProcess.Run(["run", .. args, "--out", dir["whole"]]);
        Assert.True(whole.ExitCode == 0, whole.StdErr);
        var killed = CliProcess.Run(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "kill:checkpoint:1" }, ["run", .. args, "--out", dir["resumed"]]);
        Assert.NotEqual(0, killed.ExitCode);
        var resumed = CliProcess.Run(["run", .. args, "--out", dir["resumed"]]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        return (dir["whole"], dir["resumed"]);
    }
}
