using MemScore.Core;
using MemScore.Storage;
using MemScore.Tests.Support;
using Xunit.Abstractions;

namespace MemScore.Tests.Execution;

/// <summary>
/// SIGKILL the real CLI at 25 points (20 random times plus 5 injected points: mid-write of a file,
/// right after a checkpoint, right after a task result, during aggregation), resume each time, and
/// require bit-identical final scores. After every kill, every named file in the run folder must be
/// complete (temporary ".*.tmp" files may remain; the next start deletes them).
/// </summary>
[Trait("Tier", "EndToEnd")]
public class KillAndResumeTests(ITestOutputHelper output)
{
    const int Examples = 600;   // 300 made runs so short that most random kill times fell after completion (13 of 20 kills in CI)
    static readonly string[] Args = ["run", "--limit", $"{Examples}", "--folds", "2", "--repeats", "2", "--epochs", "4", "--eval-every", "2",
        "--is-samples", "16", "--threads", "2", "--checkpoint-every", "1"];

    [Fact]
    public void Killed_runs_resume_to_bit_identical_scores()
    {
        using var dir = new TempDirectory();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reference = CliProcess.Run([.. Args, "--out", dir["reference"]]);
        double referenceSeconds = clock.Elapsed.TotalSeconds;
        Assert.True(reference.ExitCode == 0, reference.StdErr);
        byte[] expectedScores = File.ReadAllBytes(Path.Combine(dir["reference"], "scores.csv"));

        string run = dir["killed"];
        var rng = new SplitMix64(20261129);
        int kills = 0;
        var injected = new[] { "kill:atomic-write:1", "kill:checkpoint:2", "kill:atomic-write:4", "kill:task-saved:1", "kill:aggregation:1" };
        foreach (string fault in injected)
        {
            var result = CliProcess.RunAndKill(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = fault }, null, [.. Args, "--out", run]);
            Assert.NotNull(result);
            Assert.NotEqual(0, result.ExitCode);   // killed by itself
            kills++;
            AssertEveryNamedFileIsComplete(run);
        }
        int completed = 0, randomKills = 0;
        for (int i = 0; i < 80 && randomKills < 20; i++)
        {
            // Uniform over what an uninterrupted run would still take (its share of unfinished tasks,
            // plus start-up and aggregation); a run that completes first is checked and restarted
            // from scratch, so later kills again land in every phase.
            // Every sixth run of a chain is left to finish: at least three chains resume to completion.
            // 0.85: a killed task's checkpoints make the resumed run shorter than its unfinished tasks alone say.
            double remaining = 0.85 * referenceSeconds * (Tasks - FinishedTasks(run) + 0.5) / (Tasks + 0.5);
            TimeSpan? delay = i % 6 == 5 ? null : TimeSpan.FromSeconds(0.3 + Math.Max(0.5, remaining - 0.3) * rng.NextDouble());
            var result = CliProcess.RunAndKill(null, delay, [.. Args, "--out", run]);
            AssertEveryNamedFileIsComplete(run);
            if (result is null) { kills++; randomKills++; continue; }
            Assert.True(result.ExitCode == 0, result.StdErr);
            Assert.Equal(expectedScores, File.ReadAllBytes(Path.Combine(run, "scores.csv")));
            Directory.Delete(run, recursive: true);
            completed++;
        }
        output.WriteLine($"{completed} chains of kills resumed to completion");
        output.WriteLine($"{kills} kills");
        Assert.True(randomKills >= 20, $"only {randomKills} runs were killed at random times");
        Assert.True(completed >= 3, $"only {completed} chains of kills were resumed to completion and compared");

        var final = CliProcess.Run([.. Args, "--out", run]);
        Assert.True(final.ExitCode == 0, final.StdErr);
        Assert.Equal(expectedScores, File.ReadAllBytes(Path.Combine(run, "scores.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir["reference"], "summary.npz")), File.ReadAllBytes(Path.Combine(run, "summary.npz")));
        Assert.Empty(Directory.GetFiles(Path.Combine(run, "checkpoints")));
        Assert.False(File.Exists(Path.Combine(run, "run.lock")));
    }

    const int Tasks = 4;   // --folds 2 x --repeats 2

    static int FinishedTasks(string run)
    {
        string tasks = Path.Combine(run, "tasks");
        return Directory.Exists(tasks) ? Directory.GetFiles(tasks).Count(f => !AtomicFile.IsTemporaryName(Path.GetFileName(f))) : 0;
    }

    static void AssertEveryNamedFileIsComplete(string run)
    {
        if (!Directory.Exists(run)) return;
        foreach (string file in Directory.EnumerateFiles(run, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetFileName(file);
            if (AtomicFile.IsTemporaryName(name) || name.EndsWith(".lock", StringComparison.Ordinal)) continue;
            string folder = Path.GetFileName(Path.GetDirectoryName(file)!);
            switch (folder, name)
            {
                case (_, "run.json"): RunManifest.Read(file); break;
                case (_, "plan.json"): Assert.Equal(Tasks, System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("tasks").GetArrayLength()); break;
                case (_, "examples.npz"): Assert.Equal(Examples, Npz.Read(file)["label"].Shape[0]); break;
                case ("tasks", _): TaskResultFile.Read(file); break;
                case ("checkpoints", _): TaskCheckpointFile.Read(file, Examples); break;
                case (_, "summary.npz"): Assert.Equal(Examples, Npz.Read(file)["M"].Shape[0]); break;
                case (_, "scores.csv"): Assert.Equal(1 + Examples, File.ReadAllLines(file).Length); break;   // header + one line per example
                case (_, "scores_by_epoch.csv"): Assert.Equal(1 + 2 * Examples, File.ReadAllLines(file).Length); break;   // evaluations at epochs 2 and 4
                case (_, "scores.json"): System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)); break;
                default: Assert.Fail($"unexpected file {file}"); break;
            }
        }
    }
}
