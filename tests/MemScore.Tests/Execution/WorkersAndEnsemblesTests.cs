using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Execution.Slurm;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Execution;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class WorkersAndEnsemblesTests
{
    // 300 embedded digits, K = 3, L = 1, 2 epochs: three small tasks.
    static readonly ExperimentConfig Small = new()
    {
        Limit = 300, Folds = 3, Repeats = 1, Epochs = 2, EvalEvery = 1, ImportanceSamples = 8, BatchSize = 32, Threads = 1,
    };

    static RunOutcome Run(ExperimentConfig config, string dir, int workers, ModelRegistry? models = null) =>
        new LocalExecutor(DatasetRegistry.CreateDefault(), models ?? ModelRegistry.CreateDefault()).Run(new RunRequest(config, dir, Workers: workers));

    static void AssertSameTaskNumbers(string expectedDir, string actualDir)
    {
        var names = Directory.GetFiles(Path.Combine(expectedDir, "tasks"), "*.npz").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(names, Directory.GetFiles(Path.Combine(actualDir, "tasks"), "*.npz").Select(Path.GetFileName).Order().ToArray());
        foreach (var name in names)
        {
            var a = TaskResultFile.Read(Path.Combine(expectedDir, "tasks", name!));
            var b = TaskResultFile.Read(Path.Combine(actualDir, "tasks", name!));
            Assert.Equal(a.TrainLoss, b.TrainLoss);
            Assert.Equal(a.LogLikelihoods.Length, b.LogLikelihoods.Length);
            for (int k = 0; k < a.LogLikelihoods.Length; k++) Assert.Equal(a.LogLikelihoods[k], b.LogLikelihoods[k]);
        }
    }

    [Fact]
    public void Several_workers_give_bit_identical_results_to_one()
    {
        using var dir = new TempDirectory();
        var one = Run(Small, dir["one"], workers: 1);
        var three = Run(Small, dir["three"], workers: 3);
        Assert.Equal(1, one.Workers);
        Assert.Equal(3, three.Workers);
        Assert.Equal(3, three.TasksRun);
        // Exact equality: every task draws from its own seeded generators and runs at the same thread count,
        // whichever worker runs it and whatever runs beside it.
        AssertSameTaskNumbers(dir["one"], dir["three"]);
        Assert.Equal(File.ReadAllBytes(dir["one/scores.csv"]), File.ReadAllBytes(dir["three/scores.csv"]));
    }

    /// <summary>
    /// A VAE whose loss turns NaN in epoch 2 of one task (recognised by its initialisation seed) while
    /// <see cref="Armed"/> is set.
    /// </summary>
    sealed class Breakable(long brokenInitSeed)
    {
        public volatile bool Armed = true;
        // 7 batches per epoch: step 8 (counted from 0) is in epoch 2.
        public ModelRegistry Registry() => new ModelRegistry().Add(new ModelFamily("breakable-vae", "test",
            c => new LossFilteredModel(BernoulliMlpVae.Create(c), (step, loss) => Armed && c.InitSeed == brokenInitSeed && step >= 8 ? double.NaN : loss)));
    }

    [Fact]
    public void A_failing_worker_stops_the_run_and_a_rerun_resumes_to_the_same_scores()
    {
        using var dir = new TempDirectory();
        var config = Small with { Model = "breakable-vae" };
        var breakable = new Breakable(new SeedSchedule(config.Seed).Task(0, 1).ModelInit);   // task (repeat 0, fold 1)
        var error = Assert.Throws<NumericalFailureException>(() => Run(config, dir["run"], workers: 2, breakable.Registry()));
        Assert.Contains("repeat 0, fold 1, epoch 2", error.Message);
        Assert.False(File.Exists(dir["run/scores.csv"]));
        Assert.False(File.Exists(dir["run/run.lock"]));
        // Only the broken task is recorded as failed; no task lock is left behind by either worker.
        Assert.Equal(["r0_f1.failed.json"], Directory.GetFiles(dir["run/tasks"], "*.failed.json").Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(dir["run"], "*.lock", SearchOption.AllDirectories));

        // How many of the other tasks the second worker finished before the failure stopped it depends on the
        // machine's load (parallel test classes); the rerun must train exactly the rest, the broken one included.
        int finished = Directory.GetFiles(dir["run/tasks"], "r*_f*.npz").Length;
        Assert.False(File.Exists(dir["run/tasks/r0_f1.npz"]));
        breakable.Armed = false;
        var resumed = Run(config, dir["run"], workers: 2, breakable.Registry());
        Assert.Equal(3 - finished, resumed.TasksRun);
        Run(config, dir["clean"], workers: 1, breakable.Registry());
        Assert.Equal(File.ReadAllBytes(dir["clean/scores.csv"]), File.ReadAllBytes(dir["run/scores.csv"]));
        Assert.Empty(Directory.GetFiles(dir["run/tasks"], "*.failed.json"));
    }

    [Fact]
    public void Cancelling_a_run_with_workers_stops_every_worker_and_a_rerun_completes()
    {
        using var dir = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var executor = new LocalExecutor(DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());
        var started = new HashSet<string>();
        // Ctrl-C arrives as soon as the first task finishes an epoch (the CLI cancels the same token).
        var progress = new SynchronousProgress<RunProgress>(p =>
        {
            if (p.Task is { } t) started.Add(t.ToString());
            if (p.Update is { Phase: MemScore.Training.TaskPhase.Training }) cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => executor.Run(new RunRequest(Small, dir["run"], Workers: 2), progress, cancel.Token));
        Assert.False(File.Exists(dir["run/scores.csv"]));
        Assert.Empty(Directory.GetFiles(dir["run"], "*.lock", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(dir["run/tasks"], "*.failed.json"));   // a cancellation is not a failure
        Assert.True(started.Count <= 2, $"tasks begun after the cancellation: {string.Join(", ", started)}");

        var resumed = Run(Small, dir["run"], workers: 2);
        Assert.Equal(3, resumed.TasksRun + resumed.TasksReused);
        Run(Small, dir["clean"], workers: 1);
        Assert.Equal(File.ReadAllBytes(dir["clean/scores.csv"]), File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [Fact]
    public void Fold_ensembles_run_end_to_end_close_to_separate_models_and_resume_exactly()
    {
        using var dir = new TempDirectory();
        var config = Small with { Repeats = 2, FoldEnsembles = true };
        var ensembles = Run(config, dir["ens"], workers: 2);
        Assert.Equal(6, ensembles.TasksRun);
        Assert.Equal(2, ensembles.Workers);   // two repeats = two work units
        Run(config with { FoldEnsembles = false }, dir["seq"], workers: 1);
        var (u, v) = (ensembles.Scores.U, ensembles.Scores.V);
        var separate = TaskResultFile.Read(dir["seq/tasks/r1_f2.npz"]);
        var member = TaskResultFile.Read(dir["ens/tasks/r1_f2.npz"]);
        // Bounds as in EnsembleTrainerTests (batched matmuls sum in another order; Adam amplifies round-off):
        // median 2e-4, max 2e-3 relative; another noise stream would differ by ~1e-2.
        for (int k = 0; k < separate.LogLikelihoods.Length; k++)
        {
            var rel = member.LogLikelihoods[k].Zip(separate.LogLikelihoods[k], (a, b) => Math.Abs(a - b) / Math.Abs(b)).Order().ToArray();
            Assert.True(rel[rel.Length / 2] <= 2e-4, $"median relative difference {rel[rel.Length / 2]}");
            Assert.True(rel[^1] <= 2e-3, $"max relative difference {rel[^1]}");
        }
        Assert.All(Enumerable.Range(0, ensembles.Scores.Count), i => Assert.True(double.IsFinite(u[i, 1] - v[i, 1])));

        // A crash after some members were written: the rerun retrains the whole repeat, writes only what is missing,
        // and that member's numbers equal the lost ones exactly (the ensemble always holds all K folds).
        var before = TaskResultFile.Read(dir["ens/tasks/r0_f1.npz"]);
        byte[] sibling = File.ReadAllBytes(dir["ens/tasks/r0_f0.npz"]);
        File.Delete(dir["ens/tasks/r0_f1.npz"]);
        File.Delete(dir["ens/scores.csv"]);
        var resumed = Run(config, dir["ens"], workers: 1);
        Assert.Equal(3, resumed.TasksRun);     // the repeat's unit, reported for its 3 tasks
        Assert.Equal(3, resumed.TasksReused);  // the other repeat
        var after = TaskResultFile.Read(dir["ens/tasks/r0_f1.npz"]);
        Assert.Equal(before.TrainLoss, after.TrainLoss);
        for (int k = 0; k < before.LogLikelihoods.Length; k++) Assert.Equal(before.LogLikelihoods[k], after.LogLikelihoods[k]);
        Assert.Equal(sibling, File.ReadAllBytes(dir["ens/tasks/r0_f0.npz"]));
    }

    [Theory]
    // Cancelled as epoch 2's training ends. Evaluated every epoch: epoch 2's evaluation sees the cancellation, so the
    // checkpoint after epoch 1 (one evaluation) survives. Evaluated at epoch 3 only: epoch 2's checkpoint is written
    // (no evaluation to stop) and epoch 3's first batch stops.
    [InlineData(1, 1, 1)]
    [InlineData(3, 2, 0)]
    public void Fold_ensemble_interrupted_mid_run_continues_from_its_checkpoint_bit_identically(int evalEvery, int completedEpochs, int evaluationsInCheckpoint)
    {
        using var dir = new TempDirectory();
        var config = Small with { FoldEnsembles = true, Epochs = 3, EvalEvery = evalEvery };
        using var cancel = new CancellationTokenSource();
        var executor = new LocalExecutor(DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault());
        var progress = new SynchronousProgress<RunProgress>(p =>
        {
            if (p.Update is { Phase: MemScore.Training.TaskPhase.Training, Epoch: 2 }) cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => executor.Run(new RunRequest(config, dir["run"]), progress, cancel.Token));
        var checkpoint = EnsembleCheckpointFile.Read(dir["run/checkpoints/r0_ensemble.npz"], 300);
        Assert.Equal((0, 3, completedEpochs, evaluationsInCheckpoint), (checkpoint.Repeat, checkpoint.Members, checkpoint.CompletedEpochs, checkpoint.LogLikelihoods[0].Length));
        Assert.Empty(Directory.GetFiles(dir["run/tasks"], "*.npz"));

        // The rerun trains only the epochs after the checkpoint (a fresh start would give the same bits, being seeded per epoch).
        var trainedEpochs = new List<int>();
        var resumed = executor.Run(new RunRequest(config, dir["run"], Workers: 1),
            new SynchronousProgress<RunProgress>(p => { if (p.Update is { Phase: MemScore.Training.TaskPhase.Training } u) trainedEpochs.Add(u.Epoch); }));
        Assert.Equal(3, resumed.TasksRun);
        Assert.Equal(completedEpochs + 1, trainedEpochs.Min());
        Assert.False(File.Exists(dir["run/checkpoints/r0_ensemble.npz"]));
        Run(config, dir["clean"], workers: 1);
        AssertSameTaskNumbers(dir["clean"], dir["run"]);
        Assert.Equal(File.ReadAllBytes(dir["clean/scores.csv"]), File.ReadAllBytes(dir["run/scores.csv"]));
    }

    [Fact]
    public void A_checkpoint_left_after_all_results_were_written_is_removed_by_the_rerun()
    {
        using var dir = new TempDirectory();
        var config = Small with { FoldEnsembles = true, Epochs = 2 };
        Run(config, dir["run"], workers: 1);
        File.WriteAllText(dir["run/checkpoints/r0_ensemble.npz"], "left by a process that died before removing it");
        var rerun = Run(config, dir["run"], workers: 1);
        Assert.Equal(3, rerun.TasksReused);
        Assert.False(File.Exists(dir["run/checkpoints/r0_ensemble.npz"]));
    }

    [Theory]
    [InlineData("ess", "'ess' and 'logp' differ in shape")]
    [InlineData("epoch", "'epoch' must be one int64 >= 1")]
    public void Broken_ensemble_checkpoints_are_refused_naming_the_file(string broken, string message)
    {
        using var dir = new TempDirectory();
        var state = new Dictionary<string, NpyArray> { ["param.w"] = NpyArray.FromFloats([1f], 1) };
        var checkpoint = new EnsembleCheckpoint(0, "h", 1, [[1.0], [2.0]], [[[0.5, 0.5]], [[0.5, 0.5]]], [[[1.0, 1.0]], [[1.0, 1.0]]], state);
        string path = dir["c.npz"];
        EnsembleCheckpointFile.Write(path, checkpoint, examples: 2);
        Assert.Equal(2, EnsembleCheckpointFile.Read(path, 2).Members);   // the intact file reads back
        var arrays = Npz.Read(path);
        arrays[broken] = broken == "ess" ? NpyArray.FromDoubles([1.0, 1.0], 2, 1, 1) : NpyArray.FromDoubles([1.0], 1);
        AtomicFile.Write(path, s => Npz.WriteTo(s, arrays));
        var error = Assert.Throws<InvalidInputException>(() => EnsembleCheckpointFile.Read(path, 2));
        Assert.Contains(path, error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Fold_ensembles_is_in_the_hash_only_when_set()
    {
        var plain = new ExperimentConfig();
        Assert.DoesNotContain("fold-ensembles", plain.ToJson());
        Assert.Contains("\"fold-ensembles\": true", (plain with { FoldEnsembles = true }).ToJson());
        Assert.NotEqual(plain.Hash(), (plain with { FoldEnsembles = true }).Hash());
    }

    [Theory]
    [InlineData("bernoulli-dc-vae", null, "fold-ensembles = true: expected model = bernoulli-mlp-vae")]
    [InlineData("bernoulli-mlp-vae", 2, "fold-ensembles = true: expected no --in-models")]
    public void Fold_ensembles_refuse_what_they_cannot_train(string model, int? inModels, string message)
    {
        var config = new ExperimentConfig { Model = model, InModels = inModels, FoldEnsembles = true };
        var error = Assert.Throws<InvalidConfigurationException>(() => ConfigValidator.Validate(config, DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void One_task_at_a_time_paths_refuse_a_fold_ensemble_run()
    {
        using var dir = new TempDirectory();
        var request = new RunRequest(Small with { FoldEnsembles = true }, dir["run"]);
        using var context = new RunPlanner(DatasetRegistry.CreateDefault(), ModelRegistry.CreateDefault()).Plan(request);
        var task = Assert.Throws<InvalidConfigurationException>(() => new TaskExecutor(context, ModelRegistry.CreateDefault()).Execute(context.TaskAt(0), 1));
        Assert.Contains("memscore run", task.Message);
        var slurm = Assert.Throws<InvalidConfigurationException>(() => new SlurmBackend(new ProcessRunner()).WriteScript(context, [0, 1, 2], new SlurmOptions(), "memscore"));
        Assert.Contains("fold-ensembles = true", slurm.Message);
        Assert.False(Directory.Exists(dir["run/slurm"]));   // no script written
    }

    [Theory]
    [InlineData(2, 2, 10, 24, 1)]    // 2 cores at 2 threads: one worker
    [InlineData(2, 1, 10, 24, 2)]    // 2 cores at 1 thread: two workers
    [InlineData(16, 2, 10, 24, 8)]
    [InlineData(16, 1, 3, 24, 3)]    // never more workers than work units
    [InlineData(1, 4, 10, 24, 1)]
    [InlineData(64, 1, 100, 24, 16)] // 24 GiB at 1.5 GiB per worker
    [InlineData(8, 1, 10, 1, 1)]     // at least one worker whatever the memory
    public void Default_workers_fill_the_cores_at_the_configured_threads_within_memory(int cores, int threads, int units, int gib, int expected) =>
        Assert.Equal(expected, ExecutionRule.DefaultWorkers(new ExperimentConfig { Threads = threads, Device = "cpu" }, units, cores, (long)gib << 30));
}
