using System.Text.Json.Nodes;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>
/// --target-reliability R --max-repeats N through the real CLI on a tiny design (200 digits, K = 5,
/// 1 epoch, S = 4: the ranking is noise and predicted at Spearman ~0.2, so R = 0.01 stops at 2 repeats and
/// R = 0.99 is never reached).
/// </summary>
[Trait("Tier", "EndToEnd")]
public class TargetReliabilityCliTests
{
    static readonly string[] Tiny = ["--limit", "200", "--folds", "5", "--epochs", "1", "--is-samples", "4", "--threads", "2"];

    static JsonObject Progress(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "target_progress.json")))!.AsObject();

    static void AssertSameTaskFiles(string expectedRun, string actualRun, int repeats)
    {
        for (int r = 0; r < repeats; r++)
            for (int f = 0; f < 5; f++)
            {
                // The files hold the task's seconds too, which differ between any two runs; everything else must be identical.
                var a = TaskResultFile.Read(Path.Combine(expectedRun, "tasks", $"r{r}_f{f}.npz"));
                var b = TaskResultFile.Read(Path.Combine(actualRun, "tasks", $"r{r}_f{f}.npz"));
                Assert.Equal(a.ConfigHash, b.ConfigHash);
                Assert.Equal(a.HeldOut, b.HeldOut);
                Assert.Equal(a.EvaluationEpochs, b.EvaluationEpochs);
                Assert.Equal(a.TrainLoss, b.TrainLoss);
                Assert.Equal(a.LogLikelihoods, b.LogLikelihoods);   // exact: double equality
                Assert.Equal(a.EffectiveSampleSizes, b.EffectiveSampleSizes);
            }
    }

    [Fact]
    public void Unreached_target_trains_the_tasks_of_a_plain_run_and_a_reached_one_stops_resumes_and_skips_late_slurm_tasks()
    {
        using var dir = new TempDirectory();
        var plain = CliProcess.Run(["run", .. Tiny, "--repeats", "3", "--out", dir["plain"]]);
        Assert.True(plain.ExitCode == 0, plain.StdErr);
        var never = CliProcess.Run(["run", .. Tiny, "--max-repeats", "3", "--target-reliability", "0.99", "--out", dir["never"]]);
        Assert.True(never.ExitCode == 0, never.StdErr);
        AssertSameTaskFiles(dir["plain"], dir["never"], 3);
        Assert.Equal(File.ReadAllBytes(dir["plain/scores.csv"]), File.ReadAllBytes(dir["never/scores.csv"]));
        var neverProgress = Progress(dir["never"]);
        Assert.False(neverProgress["reached"]!.GetValue<bool>());
        Assert.Equal(3, neverProgress["repeats_used"]!.GetValue<int>());
        Assert.Equal(2, neverProgress["predicted_spearman_by_repeats"]!.AsArray().Count);
        Assert.Contains("Target reliability 0.99 not reached: all 3 repeats", never.StdOut);

        // Interrupted (killed after the 7th task result: repeat 0 and two folds of repeat 1), then resumed with `run --out` alone.
        string run = dir["stop"];
        var killed = CliProcess.Run(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "kill:task-saved:7" },
            ["run", .. Tiny, "--max-repeats", "3", "--target-reliability", "0.01", "--out", run]);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal(7, Directory.GetFiles(Path.Combine(run, "tasks"), "*.npz").Length);
        var resumed = CliProcess.Run("run", "--out", run);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains("Target reliability 0.01 reached with 2 of at most 3 repeats", resumed.StdOut);
        Assert.Equal(10, Directory.GetFiles(Path.Combine(run, "tasks"), "*.npz").Length);
        AssertSameTaskFiles(dir["plain"], run, 2);
        var progress = Progress(run);
        Assert.True(progress["reached"]!.GetValue<bool>());
        Assert.Equal(2, progress["repeats_used"]!.GetValue<int>());
        // The prediction from 2 repeats does not depend on the target, the interruption or the third repeat's presence.
        Assert.Equal(neverProgress["predicted_spearman_by_repeats"]![0]!.ToJsonString(), progress["predicted_spearman_by_repeats"]![0]!.ToJsonString());

        // A Slurm array element past the stop exits 0 at once and trains nothing.
        var late = CliProcess.Run(new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "12" }, "task", "--run", run);
        Assert.True(late.ExitCode == 0, late.StdErr);
        Assert.Contains("not needed", late.StdOut);
        Assert.False(File.Exists(Path.Combine(run, "tasks", "r2_f2.npz")));
        var aggregate = CliProcess.Run("aggregate", run);
        Assert.True(aggregate.ExitCode == 0, aggregate.StdErr);
        Assert.Contains("Coverage: 10/10 tasks", aggregate.StdOut);
        Assert.Contains("reached with 2 of at most 3", aggregate.StdOut);

        // status lists the third repeat's 5 tasks as not needed, not as missing.
        var status = CliProcess.Run("status", run);
        Assert.True(status.ExitCode == 0, status.StdErr);
        Assert.Contains("reached with 2 of at most 3", status.StdOut);
        Assert.Matches(@"not needed\s+5\s", status.StdOut);
        Assert.Matches(@"missing\s+0\s", status.StdOut);

        // The report states what was reached, on the page and in numbers.json.
        var report = CliProcess.Run("report", run);
        Assert.True(report.ExitCode == 0, report.StdErr);
        Assert.Contains("Target reliability 0.01 reached with 2 of at most 3 repeats", File.ReadAllText(Path.Combine(run, "report", "index.html")));
        var numbers = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "report", "numbers.json")))!;
        Assert.True(numbers["target_reached"]!.GetValue<bool>());
        Assert.Equal(2, numbers["target_repeats_used"]!.GetValue<int>());
        Assert.Equal(10, numbers["tasks"]!.GetValue<int>());   // K = 5 x the 2 repeats used
    }

    [Fact]
    public void Two_workers_stop_at_the_target_cancel_what_is_past_it_and_a_rerun_changes_nothing()
    {
        using var dir = new TempDirectory();
        string[] args = ["run", "--limit", "300", "--folds", "5", "--epochs", "3", "--is-samples", "4", "--threads", "1", "--workers", "2",
            "--max-repeats", "4", "--target-reliability", "0.01", "--out", dir["run"]];
        var first = CliProcess.Run(args);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("reached with 2 of at most 4 repeats", first.StdOut);
        Assert.Contains("not needed", first.StdErr);
        var published = Directory.GetFiles(dir["run/tasks"], "*.npz").Select(Path.GetFileName).ToArray();
        Assert.Equal(10, published.Count(f => f!.StartsWith("r0_") || f.StartsWith("r1_")));
        // The other worker may finish one task of repeat 2 before the last task of repeat 1 ends (the stop is decided
        // then; how far it got depends on the machine's load); nothing else past the stop is published.
        Assert.InRange(published.Length, 10, 11);
        byte[] progress = File.ReadAllBytes(dir["run/target_progress.json"]), scores = File.ReadAllBytes(dir["run/scores.csv"]);
        var again = CliProcess.Run(args);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("(0 tasks trained,", again.StdOut);
        Assert.Equal(progress, File.ReadAllBytes(dir["run/target_progress.json"]));
        Assert.Equal(scores, File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [Theory]
    [InlineData("1.5", "3", null, "target-reliability = 1.5")]
    [InlineData("0", "3", null, "target-reliability = 0")]
    [InlineData("0.8", "1", null, "max-repeats = 1")]
    [InlineData("0.8", "3", "4", "max-repeats = 3")]
    public void Bad_targets_exit_2_naming_the_flag_and_create_nothing(string r, string n, string? repeats, string expected)
    {
        using var dir = new TempDirectory();
        string[] extra = repeats is null ? [] : ["--repeats", repeats];
        var result = CliProcess.Run(["run", .. Tiny, .. extra, "--target-reliability", r, "--max-repeats", n, "--out", dir["run"]]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.False(Directory.Exists(dir["run"]));
    }
}
