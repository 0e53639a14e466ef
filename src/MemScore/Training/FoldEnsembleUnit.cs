using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// The members of a <see cref="MlpVaeEnsemble"/> as one training unit: member m trains on
/// <paramref name="trainRows"/>[m] with the draws of <paramref name="seeds"/>[m] and is evaluated on all
/// of <paramref name="evaluated"/>. The caller owns the ensemble.
/// </summary>
/// <param name="labels">Name the members in error messages.</param>
internal sealed class FoldEnsembleUnit(MlpVaeEnsemble ensemble, ExperimentConfig config, TrainingBatches batches, int[][] trainRows,
    Tensor evaluated, TaskSeeds[] seeds, string[] labels) : ITrainingUnit, ICheckpointable
{
    public int Members => ensemble.Members;
    public ICheckpointable? State => this;

    public double[] TrainEpoch(int epoch, CancellationToken cancellation) =>
        EnsembleTrainer.TrainEpoch(ensemble, batches, trainRows, config.BatchSize, seeds.Select(s => s.Epoch(epoch)).ToArray(), labels, epoch, cancellation);

    public MemberEvaluation[] Evaluate(int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation)
    {
        var (logp, ess) = EnsembleTrainer.Evaluate(ensemble, evaluated, config.EvalBatchSize, seeds.Select(s => s.Evaluation(epoch)).ToArray(),
            labels, epoch, onBatch, cancellation);
        return logp.Select((values, m) => new MemberEvaluation(values, ess[m])).ToArray();
    }

    public IReadOnlyDictionary<string, NpyArray> SaveState() => ensemble.SaveState();

    public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) => ensemble.LoadState(state, source);
}
