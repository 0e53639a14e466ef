using MemScore.Tests.Support;

namespace MemScore.Tests.Execution;

/// <summary>
/// Issue 13 item 6: the library reads no environment; the CLI passes its LD_PRELOAD (say, tcmalloc) to the array
/// script, which exports it to the workers. --dry-run writes the script without Slurm. The named library does not
/// exist: the loader only warns and ignores it for the CLI process itself.
/// </summary>
public class SlurmPreloadTests(PlannedRunFixture planned) : IClassFixture<PlannedRunFixture>
{
    const string Preload = "/nonexistent/libmemscore-preload-test.so";

    [Fact]
    public void The_submitting_process_LD_PRELOAD_is_exported_to_the_workers()
    {
        var r = CliProcess.Run(new Dictionary<string, string> { ["LD_PRELOAD"] = Preload }, "slurm", "submit", planned.Run, "--dry-run");
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        string script = Directory.GetFiles(Path.Combine(planned.Run, "slurm"), "*.sbatch").OrderBy(File.GetLastWriteTimeUtc).Last();
        Assert.Contains($"export LD_PRELOAD='{Preload}'", File.ReadAllLines(script));
    }
}
