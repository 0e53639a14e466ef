using System.Text.RegularExpressions;
using MemScore.Tests.Execution;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

public class SweepSlurmTests
{
    static readonly string[] Flags = ["--limit", "40", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "8", "--top", "0",
        "--vary", "weight-decay=0,1"];

    [SlurmFact]
    public void Slurm_submits_each_points_array_and_a_rerun_without_it_reuses_their_tasks()
    {
        using var dir = new TempDirectory();
        var submit = CliProcess.Run(["sweep", "--out", dir["s"], .. Flags, "--slurm"]);
        Assert.True(submit.ExitCode == 0, submit.StdErr);
        var jobs = Regex.Matches(submit.StdOut, @"Submitted job (\d+)").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, jobs.Length);
        foreach (string job in jobs) SlurmTests.WaitUntilGone(job);

        var local = CliProcess.Run(["sweep", "--out", dir["s"], .. Flags]);
        Assert.True(local.ExitCode == 0, local.StdErr);
        Assert.Equal(2, Regex.Matches(local.StdOut, @"\(0 tasks trained, 2 reused\)").Count);
        Assert.True(File.Exists(dir["s/report/index.html"]));
    }
}
