using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using MemScore.Training.Privacy;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// One model as a training unit: trained on <paramref name="trainRows"/> of <paramref name="batches"/>,
/// evaluated on <paramref name="evaluated"/> (only at <paramref name="evaluatedRows"/> when given), every
/// draw seeded by <paramref name="seeds"/>. The caller owns the model. With DP-SGD in the config each epoch is a
/// <see cref="PoissonEpochTrainer"/> epoch: the same loop, a different optimizer step.
/// </summary>
/// <param name="label">Names the model in error messages, e.g. "repeat 0, fold 1".</param>
/// <param name="sharing">Idle workers that may help with the log p(x) passes (null = none).</param>
internal sealed class SingleModelUnit(IDensityModel model, ExperimentConfig config, TrainingBatches batches, int[] trainRows,
    Tensor evaluated, int[]? evaluatedRows, TaskSeeds seeds, string label, EvaluationSharing? sharing = null) : ITrainingUnit
{
    public IDensityModel Model => model;
    public string Label => label;
    public int Members => 1;
    public ICheckpointable? State => model as ICheckpointable;

    readonly DpSgdPlan? _privacy = DpSgdPlan.For(config, trainRows.Length);

    /// <summary>The DP-SGD settings this model trains with; null without DP.</summary>
    public DpSgdPlan? DpPlan => _privacy;

    public double[] TrainEpoch(int epoch, CancellationToken cancellation) => _privacy is null
        ? [EpochTrainer.Run(model, batches, trainRows, config.BatchSize, seeds.Epoch(epoch), label, epoch, cancellation)]
        : [PoissonEpochTrainer.Run(model as IPrivatelyTrainable ?? throw new InvalidConfigurationException($"{model.Describe().Name} cannot train with DP-SGD"),
            batches, trainRows, config.BatchSize, seeds.Epoch(epoch), seeds.PrivateEpoch(epoch), _privacy.Step, label, epoch, cancellation)];

    public MemberEvaluation[] Evaluate(int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation)
    {
        var (logp, ess) = EpochTrainer.Evaluate(model, evaluated, config.EvalBatchSize, seeds.Evaluation(epoch), label, epoch,
            onBatch is null ? null : (done, total) => onBatch(0, done, total), cancellation, evaluatedRows, sharing);
        return [new MemberEvaluation(logp, ess)];
    }
}
