using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>
/// The SIGSEGV of the default job (2 workers): a Tensor made outside any dispose scope and never disposed
/// reaches the finalizer, and when it is a temporary (t.detach() in t.detach().cpu()) the finalizer thread may
/// delete it while libtorch still reads it, after a collection started by the other worker ("Unsupported
/// TypeMeta in ATen: nullptr" in THSTensor_cpu from ModuleCheckpoint.ToFloat32, or a segfault). The rule: a
/// model's whole life (made, trained, scored, checkpointed, restored, disposed) on one thread leaves no tensor
/// for the finalizer. Counted with TorchSharp's per-thread statistics: tensors made on the thread minus those
/// disposed on it (the finalizer disposes on its own thread, so what it frees stays counted here).
/// Deterministic: no timing is involved.
/// </summary>
public class FinalizerTensorTests
{
    /// <summary>Tensors <paramref name="work"/> made on a fresh thread and did not dispose (its statistics start at zero).</summary>
    static long LeftToFinalizer(Action work)
    {
        long left = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                work();
                left = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
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
    public void A_model_trained_scored_checkpointed_and_restored_on_one_thread_leaves_no_tensor_to_the_finalizer(NativeGarbageTests.Family family)
    {
        using var g = new Generator(5);
        using var uniform = rand([16, .. family.Shape], generator: g);
        using var images = family.Input == InputKind.Binary ? uniform.lt(uniform.mean()).to_type(ScalarType.Float32) : uniform.mul(uniform);
        using var data = ExperimentData.FromScored(images.alias(), family.Input);
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        int[] rows = Enumerable.Range(0, 16).ToArray();

        long left = LeftToFinalizer(() =>
        {
            using var model = family.Create(new ModelContext(family.Shape, 4, 1e-3, 4, 1));
            EpochTrainer.Run(model, batches, rows, 8, new EpochSeeds(1, 1, 1), "test", 1, default);
            EpochTrainer.Evaluate(model, data.Scored, 8, 1, "test", 1, null, default);
            var state = ((ICheckpointable)model).SaveState();
            ((ICheckpointable)model).LoadState(state, "test");
        });

        Assert.True(left == 0, $"{family.Name}: {left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }

    [Fact]
    public void A_fold_ensemble_trained_scored_checkpointed_and_restored_on_one_thread_leaves_no_tensor_to_the_finalizer()
    {
        using var g = new Generator(6);
        using var uniform = rand([16, 1, 4, 4], generator: g);
        using var images = uniform.lt(uniform.mean()).to_type(ScalarType.Float32);
        using var data = ExperimentData.FromScored(images.alias(), InputKind.Binary);
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        int[][] rows = [Enumerable.Range(0, 8).ToArray(), Enumerable.Range(8, 8).ToArray()];

        long left = LeftToFinalizer(() =>
        {
            using var ensemble = new MlpVaeEnsemble(new BernoulliMlpVaeOptions(LatentDim: 2, HiddenLayers: [8]), 16, [1, 2], 1e-3, 4);
            EnsembleTrainer.TrainEpoch(ensemble, batches, rows, 4, [new EpochSeeds(1, 1, 1), new EpochSeeds(2, 2, 2)], ["a", "b"], 1, default);
            EnsembleTrainer.Evaluate(ensemble, data.Scored, 8, [1, 2], ["a", "b"], 1, null, default);
            ensemble.LoadState(ensemble.SaveState(), "test");
        });

        Assert.True(left == 0, $"{left} tensor(s) made outside any dispose scope were never disposed (the finalizer frees them, possibly mid-call)");
    }
}
