using MemScore.Core;
using MemScore.Models;
using MemScore.Training;

namespace MemScore.Tests.Training;

public class TaskLoopTests
{
    /// <summary>Two members whose loss in epoch e is e and 10e, and whose log p(x) at epoch e is [-e].</summary>
    sealed class CountingUnit(bool checkpointable = true) : ITrainingUnit, ICheckpointable
    {
        public List<int> Trained { get; } = [];
        public List<int> Evaluated { get; } = [];
        public IReadOnlyDictionary<string, NpyArray>? Loaded { get; private set; }
        public int Members => 2;
        public ICheckpointable? State => checkpointable ? this : null;

        public double[] TrainEpoch(int epoch, CancellationToken cancellation)
        {
            Trained.Add(epoch);
            return [epoch, 10 * epoch];
        }

        public MemberEvaluation[] Evaluate(int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation)
        {
            Evaluated.Add(epoch);
            onBatch?.Invoke(1, 1, 1);
            return [new([-epoch], null), new([-10.0 * epoch], [1.0])];
        }

        public IReadOnlyDictionary<string, NpyArray> SaveState() => new Dictionary<string, NpyArray> { ["w"] = NpyArray.FromDoubles([Trained.Count]) };
        public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) => Loaded = state;
    }

    sealed class MemoryCheckpoint(int every, TrainingHistory? saved = null) : ITrainingCheckpoint
    {
        public List<int> SavedAt { get; } = [];
        public int EveryEpochs => every;

        public TrainingHistory? Restore(ICheckpointable state, int epochs, IReadOnlyCollection<int> evaluationEpochs)
        {
            if (saved is null) return null;
            state.LoadState(new Dictionary<string, NpyArray>(), "memory");
            return saved;
        }

        public void Save(ICheckpointable state, TrainingHistory history) => SavedAt.Add(history.CompletedEpochs);
    }

    [Fact]
    public void Trains_every_epoch_evaluates_at_evaluation_epochs_and_checkpoints_every_n_but_never_after_the_last()
    {
        var unit = new CountingUnit();
        var checkpoint = new MemoryCheckpoint(every: 2);
        var progress = new List<TrainingProgress>();
        var history = TaskLoop.Run(unit, 5, [2, 5], checkpoint, progress.Add, default);
        Assert.Equal([1, 2, 3, 4, 5], unit.Trained);
        Assert.Equal([2, 5], unit.Evaluated);
        Assert.Equal([2, 4], checkpoint.SavedAt);
        Assert.Equal([1.0, 2, 3, 4, 5], history.TrainLoss(0));
        Assert.Equal([10.0, 20, 30, 40, 50], history.TrainLoss(1));
        Assert.Equal([[-2.0], [-5.0]], history.LogP(0));
        Assert.Null(history.Ess(0));
        Assert.Equal([[1.0], [1.0]], history.Ess(1));
        Assert.Equal(5 * 2 + 2, progress.Count);   // each member after each epoch, one evaluation batch per evaluation
        Assert.Contains(progress, p => p is { Member: 1, Phase: TaskPhase.Evaluating, Epoch: 5 });
    }

    [Fact]
    public void Resumes_after_the_saved_epochs_with_the_saved_history()
    {
        var unit = new CountingUnit();
        var saved = new TrainingHistory([[1.0, 2], [10.0, 20]], [[[-2.0]], [[-20.0]]], [[], [[1.0]]]);
        var history = TaskLoop.Run(unit, 3, [2, 3], new MemoryCheckpoint(1, saved), null, default);
        Assert.NotNull(unit.Loaded);
        Assert.Equal([3], unit.Trained);
        Assert.Equal([3], unit.Evaluated);
        Assert.Equal([1.0, 2, 3], history.TrainLoss(0));
        Assert.Equal([[-2.0], [-3.0]], history.LogP(0));
    }

    [Fact]
    public void A_unit_without_state_neither_resumes_nor_saves()
    {
        var unit = new CountingUnit(checkpointable: false);
        var checkpoint = new MemoryCheckpoint(1, new TrainingHistory([[1.0], [10.0]], [[], []], [[], []]));
        TaskLoop.Run(unit, 3, [3], checkpoint, null, default);
        Assert.Null(unit.Loaded);
        Assert.Equal([1, 2, 3], unit.Trained);
        Assert.Empty(checkpoint.SavedAt);
    }

    [Theory]
    [InlineData(1, 0, true)]
    [InlineData(2, 1, true)]
    [InlineData(3, 2, false)]   // finished: nothing to resume
    [InlineData(2, 0, false)]   // the epoch-2 evaluation is missing
    public void A_saved_history_fits_only_an_unfinished_run_with_its_evaluations(int completed, int evaluations, bool fits)
    {
        var loss = Enumerable.Range(1, completed).Select(e => (double)e).ToArray();
        var logp = Enumerable.Repeat(new[] { -1.0 }, evaluations).ToArray();
        Assert.Equal(fits, new TrainingHistory([loss], [logp], [[]]).ResumesWithin(epochs: 3, evaluationEpochs: [2, 3]));
    }
}
