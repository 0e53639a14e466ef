using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Execution;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class FaultHandlingTests
{
    /// <summary>The real VAE with its loss turned into NaN at one (epoch, batch) of every task.</summary>
    static IDensityModel NaNAt(IDensityModel inner, int epoch, int batch, int batchesPerEpoch) =>
        new LossFilteredModel(inner, (step, loss) => step == (epoch - 1) * batchesPerEpoch + batch ? double.NaN : loss);

    [Fact]
    public void NaN_loss_stops_the_task_naming_where_and_keeps_the_last_checkpoint()
    {
        var datasets = DatasetRegistry.CreateDefault();
        // 200 examples, K = 2: 100 training examples, batch 25 -> 4 batches per epoch.
        var models = new ModelRegistry().Add(new ModelFamily("nan-vae", "test", c => NaNAt(BernoulliMlpVae.Create(c), epoch: 2, batch: 3, batchesPerEpoch: 4)));
        var config = new ExperimentConfig { Model = "nan-vae", Limit = 200, Folds = 2, Repeats = 1, Epochs = 3, EvalEvery = 3, BatchSize = 25, ImportanceSamples = 4, Threads = 2 };
        using var dir = new TempDirectory();
        var error = Assert.Throws<NumericalFailureException>(() =>
            new LocalExecutor(datasets, models).Run(new RunRequest(config, dir["run"])));
        Assert.Contains("repeat 0, fold 0, epoch 2, batch 3", error.Message);
        Assert.True(File.Exists(dir["run/checkpoints/r0_f0.npz"]));
        Assert.Equal(1, TaskCheckpointFile.Read(dir["run/checkpoints/r0_f0.npz"], 200).CompletedEpochs);
        Assert.False(File.Exists(dir["run/tasks/r0_f0.npz"]));
        Assert.False(File.Exists(dir["run/scores.csv"]));
        Assert.False(File.Exists(dir["run/run.lock"]));
    }

    [Fact]
    public void Task_result_holding_NaN_is_refused_not_aggregated()
    {
        using var dir = new TempDirectory();
        var result = new MemScore.Memorization.TaskResult(new(0, 0), "h", [1], [[-1.0, double.NaN]], [0], [1.0], 0);
        TaskResultFile.Write(dir["r.npz"], result);
        var error = Assert.Throws<InvalidInputException>(() => TaskResultFile.Read(dir["r.npz"]));
        Assert.Contains("NaN at evaluation 0, example 1", error.Message);
    }

    static readonly string[] Tiny = ["run", "--limit", "300", "--folds", "2", "--repeats", "1", "--epochs", "2", "--is-samples", "8", "--threads", "2"];

    [Fact]
    public void Disk_full_stops_with_a_clear_message_and_a_rerun_resumes()
    {
        using var dir = new TempDirectory();
        var full = CliProcess.Run(new Dictionary<string, string> { ["MEMSCORE_FAULT"] = "io:r0_f1.npz" }, [.. Tiny, "--out", dir["run"]]);
        Assert.Equal(4, full.ExitCode);
        Assert.Contains("No space left on device", full.StdErr);
        Assert.Contains("rerun to resume", full.StdErr);
        Assert.True(File.Exists(dir["run/tasks/r0_f0.npz"]));
        Assert.False(File.Exists(dir["run/scores.csv"]));
        Assert.DoesNotContain(Directory.GetFiles(dir["run/tasks"]), f => Path.GetFileName(f).StartsWith('.'));

        var resumed = CliProcess.Run([.. Tiny, "--out", dir["run"]]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains("1 tasks trained, 1 reused", resumed.StdOut);
        var clean = CliProcess.Run([.. Tiny, "--out", dir["clean"]]);
        Assert.Equal(File.ReadAllBytes(dir["clean/scores.csv"]), File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [Fact]
    public void Concurrent_run_on_the_same_folder_is_refused()
    {
        using var dir = new TempDirectory();
        using (RunLock.Acquire(dir["run"]))
        {
            var second = CliProcess.Run([.. Tiny, "--out", dir["run"]]);
            Assert.Equal(4, second.ExitCode);
            Assert.Contains($"in use by process {Environment.ProcessId}", second.StdErr);
        }
    }
}
