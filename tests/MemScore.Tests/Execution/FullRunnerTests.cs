using MemScore.Cli;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using MemScore.Training;

namespace MemScore.Tests.Execution;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class FullRunnerTests
{
    static readonly ExperimentConfig Tiny = new() { Limit = 200, Epochs = 2, EvalEvery = 2, ImportanceSamples = 4, BatchSize = 32, Threads = 2 };

    [Fact]
    public void Full_run_writes_finite_curves_and_its_model_reloads_to_the_same_test_log_likelihoods()
    {
        using var dir = new TempDirectory();
        var runner = new FullRunner(DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());
        var outcome = runner.Run(new FullRunRequest(Tiny, dir["full"], TestFraction: 0.1));
        Assert.Equal((180, 20), (outcome.TrainCount, outcome.TestCount));
        var c = outcome.Curves;
        Assert.Equal(2, c.CompletedEpochs);
        Assert.All(c.TrainLoss.Concat(c.TrainEvalLoss).Concat(c.TestEvalLoss), v => Assert.True(double.IsFinite(v) && v > 0));
        Assert.Equal([2], c.EvaluationEpochs);
        Assert.Equal(20, c.TestLogP[0].Length);
        Assert.Equal(3, File.ReadAllLines(dir["full/curves.csv"]).Length);

        // The saved model, reloaded into a fresh one, reproduces the stored test log p(x) exactly:
        // same weights, same fixed evaluation draw of the images, same IS noise seed (documented purposes).
        using var data = ExperimentData.Prepare(Tiny, DatasetRegistry.CreateDefault(), CliEnvironment.DatasetLocations().CacheDirectory!, InputKind.Binary);
        int[] testRows = ImageTransforms.SeededSubset(200, 20, new SeedSchedule(Tiny.Seed).FullRunTestHoldout);
        using var images = data.ScoredRows(testRows);
        using var model = BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 16, 1e-3, 4, InitSeed: 999));
        ((ICheckpointable)model).LoadState(Npz.Read(dir["full/model.npz"]), "model.npz");
        var (logp, _) = EpochTrainer.Evaluate(model, images, Tiny.EvalBatchSize, new SeedSchedule(Tiny.Seed).FullRunCurves(2).TestEvaluation,
            "the full run", 2, null, default);
        Assert.Equal(c.TestLogP[0], logp);

        var again = runner.Run(new FullRunRequest(Tiny, dir["full"], TestFraction: 0.1));
        Assert.True(again.Reused);
    }

    [Fact]
    public void Killed_full_run_resumes_to_byte_identical_files()
    {
        using var dir = new TempDirectory();
        string[] args = ["full", "--limit", "200", "--epochs", "3", "--eval-every", "2", "--is-samples", "4", "--batch-size", "32", "--threads", "2"];
        var reference = CliProcess.Run([.. args, "--out", dir["reference"]]);
        Assert.True(reference.ExitCode == 0, reference.StdErr);
        // Killed right after the epoch-2 checkpoint, then rerun: it must continue, not restart, and end the same.
        var killed = CliProcess.Run(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "kill:checkpoint:2" }, [.. args, "--out", dir["resumed"]]);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.True(File.Exists(dir["resumed/checkpoint.npz"]));
        Assert.False(File.Exists(dir["resumed/full.npz"]));
        var resumed = CliProcess.Run([.. args, "--out", dir["resumed"]]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.DoesNotContain("epoch 1/3", resumed.StdErr);
        Assert.Equal(File.ReadAllBytes(dir["reference/full.npz"]), File.ReadAllBytes(dir["resumed/full.npz"]));
        Assert.Equal(File.ReadAllText(dir["reference/curves.csv"]), File.ReadAllText(dir["resumed/curves.csv"]));
        Assert.False(File.Exists(dir["resumed/checkpoint.npz"]));
    }
}

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class FullRunBadInputTests
{
    [Fact]
    public void Out_of_range_test_fraction_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run("full", "--limit", "100", "--test-fraction", "1.5", "--out", dir["full"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("test-fraction = 1.5", result.StdErr);
        Assert.False(Directory.Exists(dir["full"]));
    }

    [Fact]
    public void Report_with_a_folder_that_is_not_a_full_run_names_the_missing_file()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, CliProcess.Run("run", "--limit", "100", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "2",
            "--threads", "2", "--out", dir["run"]).ExitCode);
        Directory.CreateDirectory(dir["empty"]);
        var result = CliProcess.Run("report", dir["run"], "--full", dir["empty"]);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("full.json", result.StdErr);
        Assert.Contains("memscore full", result.StdErr);
        Assert.False(Directory.Exists(dir["run/report"]));   // refused before any file is written
    }
}
