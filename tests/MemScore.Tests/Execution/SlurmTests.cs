using System.Diagnostics;
using MemScore.Storage;
using MemScore.Tests.Support;
using Xunit.Abstractions;

namespace MemScore.Tests.Execution;

/// <summary>Against a real single-node Slurm (started by ./test.sh via tests/slurm/start-slurm.sh).</summary>
[Trait("Tier", "EndToEnd")]
public class SlurmTests(ITestOutputHelper output)
{
    static readonly string[] Config = ["--limit", "300", "--folds", "3", "--repeats", "2", "--epochs", "1", "--is-samples", "8", "--threads", "1"];

    static CliResult Cli(params string[] args)
    {
        var r = CliProcess.Run(args);
        Assert.True(r.ExitCode == 0, $"memscore {string.Join(' ', args)} -> {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        return r;
    }

    static string JobIdOf(CliResult submit) => submit.StdOut.Split("Submitted job ")[1].Split(':')[0];

    internal static string Squeue(string jobId)
    {
        var start = new ProcessStartInfo("squeue", $"-h -r -j {jobId} -o %i|%T") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Trim();
    }

    internal static void WaitUntilGone(string jobId, int seconds = 240)
    {
        var clock = Stopwatch.StartNew();
        while (Squeue(jobId).Length > 0)
        {
            if (clock.Elapsed.TotalSeconds > seconds) throw new TimeoutException($"job {jobId} still queued after {seconds} s: {Squeue(jobId)}");
            Thread.Sleep(500);
        }
    }

    string LocalReference(TempDirectory dir, params string[] config)
    {
        Cli(["run", .. config, "--out", dir["local"]]);
        return dir["local/scores.csv"];
    }

    [SlurmFact]
    public void Array_run_gives_scores_bit_identical_to_a_local_run()
    {
        using var dir = new TempDirectory();
        var clock = Stopwatch.StartNew();
        Cli(["plan", .. Config, "--out", dir["run"]]);
        var submit = Cli("slurm", "submit", dir["run"], "--max-parallel", "2");
        string job = JobIdOf(submit);
        Assert.Contains("#SBATCH --array=0-5%2", File.ReadAllText(Directory.GetFiles(dir["run/slurm"], "*.sbatch").Single()));
        WaitUntilGone(job);
        var status = Cli("status", dir["run"]);
        Assert.Contains("done        6  0-5", status.StdOut);
        var aggregate = Cli("aggregate", dir["run"]);
        Assert.Contains("Coverage: 6/6 tasks; per example 4..4 in-values and 2..2 out-values", aggregate.StdOut);
        output.WriteLine($"slurm array of 6 tasks: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(File.ReadAllBytes(LocalReference(dir, Config)), File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [SlurmFact]
    public void Failed_task_is_reported_and_only_it_is_resubmitted()
    {
        using var dir = new TempDirectory();
        Cli(["plan", .. Config, "--out", dir["run"]]);
        var failing = CliProcess.Run(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "fail-task:4" }, "slurm", "submit", dir["run"]);
        Assert.Equal(0, failing.ExitCode);
        WaitUntilGone(JobIdOf(failing));

        var status = Cli("status", dir["run"]);
        Assert.Contains("done        5  0-3,5", status.StdOut);
        Assert.Contains("failed      1  4", status.StdOut);
        Assert.Contains("injected failure of task 4", status.StdOut);

        var partial = Cli("aggregate", dir["run"]);
        Assert.Contains("Coverage: 5/6 tasks", partial.StdOut);

        var resubmit = Cli("slurm", "resubmit", dir["run"]);
        Assert.Contains("tasks 4 ", resubmit.StdOut);
        var scripts = Directory.GetFiles(dir["run/slurm"], "*.sbatch").Order().ToArray();
        Assert.Contains("#SBATCH --array=4\n", File.ReadAllText(scripts[^1]));
        WaitUntilGone(JobIdOf(resubmit));
        Assert.Contains("Coverage: 6/6 tasks", Cli("aggregate", dir["run"]).StdOut);
        Assert.False(File.Exists(dir["run/tasks/r1_f1.failed.json"]));
        Assert.Equal(File.ReadAllBytes(LocalReference(dir, Config)), File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [SlurmFact]
    public void Cancelled_running_task_leaves_no_partial_result_and_resubmission_completes()
    {
        string[] slow = ["--limit", "1000", "--folds", "2", "--repeats", "1", "--epochs", "8", "--eval-every", "4", "--is-samples", "8", "--threads", "1"];
        using var dir = new TempDirectory();
        Cli(["plan", .. slow, "--out", dir["run"]]);
        string job = JobIdOf(Cli("slurm", "submit", dir["run"], "--max-parallel", "1"));
        var clock = Stopwatch.StartNew();
        while (!File.Exists(dir["run/checkpoints/r0_f0.npz"]))
        {
            Assert.True(clock.Elapsed.TotalSeconds < 120, "task 0 never wrote a checkpoint");
            Thread.Sleep(100);
        }
        Assert.Contains($"{job}_0|RUNNING", Squeue(job));
        Process.Start("scancel", $"{job}_0")!.WaitForExit();
        WaitUntilGone(job);

        Assert.False(File.Exists(dir["run/tasks/r0_f0.npz"]), "the cancelled task must not have a result");
        foreach (string file in Directory.GetFiles(dir["run/tasks"], "*.npz")) TaskResultFile.Read(file);
        TaskCheckpointFile.Read(dir["run/checkpoints/r0_f0.npz"], 1000);
        var status = Cli("status", dir["run"]);
        Assert.Contains("failed      1  0", status.StdOut);

        var resubmit = Cli("slurm", "resubmit", dir["run"]);
        Assert.Contains("tasks 0 ", resubmit.StdOut);
        WaitUntilGone(JobIdOf(resubmit));
        Assert.Contains("Coverage: 2/2 tasks", Cli("aggregate", dir["run"]).StdOut);
        Assert.Equal(File.ReadAllBytes(LocalReference(dir, slow)), File.ReadAllBytes(dir["run/scores.csv"]));
    }
}
