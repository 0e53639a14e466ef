using MemScore.Tests.Support;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>
/// The SIGSEGV of 2-worker runs: a Tensor made outside any dispose scope and never disposed reaches the finalizer,
/// and when it is a temporary (the detach() in t.detach().cpu()) it is unreachable once its handle is read, so a
/// collection started by the other worker lets the finalizer thread delete it while libtorch still reads it
/// (crash report: SIGSEGV in THSTensor_cpu &lt;- ModuleCheckpoint.ToFloat32 &lt;- TaskCheckpointStore.Save; once also
/// "Unsupported TypeMeta in ATen: nullptr" there). The rule checked here: the work repeated every epoch (train,
/// evaluate, save and restore a checkpoint) leaves no tensor for the finalizer. Counted with TorchSharp's
/// per-thread statistics (made minus disposed on this thread; the finalizer disposes on its own thread), on a
/// fresh thread, after one warm-up round that makes the models' caches. Deterministic: no timing involved.
/// Not counted: what TorchSharp's module constructors leave (Conv2d) and RealNVP's mask caches, which reach the
/// finalizer only once their model is unreachable, when no call can still be using them.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class FinalizerTensorTests
{
    /// <summary>Tensors the second call of <paramref name="round"/> made on a fresh thread and did not dispose.</summary>
    static long LeftBySecondRound<T>(Func<T> create, Action<T> round) where T : IDisposable
    {
        long left = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var subject = create();
                round(subject);
                long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                round(subject);
                left = DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
            }
            catch (Exception e) { failure = e; }
        }, 16 << 20);
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("the work failed", failure);
        return left;
    }

    [Theory]
    [MemberData(nameof(NativeGarbageTests.Families), MemberType = typeof(NativeGarbageTests))]
    public void An_epoch_an_evaluation_and_a_checkpoint_save_and_restore_leave_no_tensor_to_the_finalizer(NativeGarbageTests.Family family)
    {
        using var g = new Generator(5);
        using var uniform = rand([16, .. family.Shape], generator: g);
        using var images = family.Input == InputKind.Binary ? uniform.lt(uniform.mean()).to_type(ScalarType.Float32) : uniform.mul(uniform);
        using var data = ExperimentData.FromScored(images.alias(), family.Input);
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        int[] rows = Enumerable.Range(0, 16).ToArray();

        long left = LeftBySecondRound(() => family.Create(new ModelContext(family.Shape, 4, 1e-3, 4, 1)), model =>
        {
            EpochTrainer.Run(model, batches, rows, 8, new EpochSeeds(1, 1, 1), "test", 1, default);
            EpochTrainer.Evaluate(model, data.Scored, 8, 1, "test", 1, null, default);
            var checkpointable = (ICheckpointable)model;
            checkpointable.LoadState(checkpointable.SaveState(), "test");
        });

        Assert.True(left == 0, $"{family.Name}: {left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    [Fact]
    public void A_fold_ensemble_epoch_evaluation_and_checkpoint_leave_no_tensor_to_the_finalizer()
    {
        using var g = new Generator(6);
        using var uniform = rand([16, 1, 4, 4], generator: g);
        using var images = uniform.lt(uniform.mean()).to_type(ScalarType.Float32);
        using var data = ExperimentData.FromScored(images.alias(), InputKind.Binary);
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        int[][] rows = [Enumerable.Range(0, 8).ToArray(), Enumerable.Range(8, 8).ToArray()];

        long left = LeftBySecondRound(() => new MlpVaeEnsemble(new BernoulliMlpVaeOptions(LatentDim: 2, HiddenLayers: [8]), 16, [1, 2], 1e-3, 4), ensemble =>
        {
            EnsembleTrainer.TrainEpoch(ensemble, batches, rows, 4, [new EpochSeeds(1, 1, 1), new EpochSeeds(2, 2, 2)], ["a", "b"], 1, default);
            EnsembleTrainer.Evaluate(ensemble, data.Scored, 8, [1, 2], ["a", "b"], 1, null, default);
            ensemble.LoadState(ensemble.SaveState(), "test");
        });

        Assert.True(left == 0, $"{left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    /// <summary>DP-SGD's Poisson epoch: hooks, per-example norms, clipped backward and privacy noise every step.</summary>
    [Fact]
    public void A_dp_sgd_epoch_leaves_no_tensor_to_the_finalizer()
    {
        using var g = new Generator(7);
        using var uniform = rand([16, 1, 4, 4], generator: g);
        using var images = uniform.lt(uniform.mean()).to_type(ScalarType.Float32);
        using var data = ExperimentData.FromScored(images.alias(), InputKind.Binary);
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        int[] rows = Enumerable.Range(0, 16).ToArray();

        long left = LeftBySecondRound(() => BernoulliMlpVae.Create(new ModelContext([1, 4, 4], 2, 1e-3, 4, 1)), model =>
            PoissonEpochTrainer.Run((IPrivatelyTrainable)model, batches, rows, 4, new EpochSeeds(1, 1, 1), new PrivateEpochSeeds(2, 3),
                new DpSgdStep(1, 0.5), "test", 1, default));

        Assert.True(left == 0, $"{left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    /// <summary>The log p(x) pass that idle workers may help with (SharedEvaluation): noise drawn under its lock, scored per batch.</summary>
    [Fact]
    public void A_shared_evaluation_leaves_no_tensor_to_the_finalizer()
    {
        using var g = new Generator(8);
        using var uniform = rand([16, 1, 8, 8], generator: g);
        using var images = uniform.lt(uniform.mean()).to_type(ScalarType.Float32);
        var sharing = new EvaluationSharing(1);
        long left = LeftBySecondRound(() => BernoulliMlpVae.Create(new ModelContext([1, 8, 8], 4, 1e-3, 4, 1)), model =>
            EpochTrainer.Evaluate(model, images, 4, 1, "test", 1, null, default, rows: [1, 2, 3, 5, 8, 13], sharing: sharing));
        Assert.True(left == 0, $"{left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    [Fact]
    public void Measuring_the_budget_leaves_no_tensor_to_the_finalizer()
    {
        var config = new ExperimentConfig { BatchSize = 8, EvalBatchSize = 8, ImportanceSamples = 2, LatentDim = 2 };
        var models = ModelRegistry.CreateDefault();
        long left = LeftBySecondRound(() => new NoOwnership(), _ => Budget.Count(config, 100).Measure(config, models, [1, 8, 8], trainSteps: 2));
        Assert.True(left == 0, $"{left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    [Fact]
    public void The_family_benchmark_leaves_no_tensor_to_the_finalizer()
    {
        // The MLP family: its model is built inside each round, and Conv2d constructors' leftovers are not this rule's subject.
        var mlp = MemScore.Benchmarks.FamilyBenchmark.PaperCases().Single(c => c.Family.Name == BernoulliMlpVae.FamilyName);
        long left = LeftBySecondRound(() => new NoOwnership(), _ => MemScore.Benchmarks.FamilyBenchmark.Measure(mlp, 100, seconds: 0, evalBatch: 2));
        Assert.True(left == 0, $"{left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    sealed class NoOwnership : IDisposable
    {
        public void Dispose() { }
    }
}
