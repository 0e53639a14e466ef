using MemScore.Models;

namespace MemScore.Training;

/// <summary>log p(x) of every example under one member (NaN at rows not evaluated), and its ESS when the model reports one.</summary>
internal sealed record MemberEvaluation(double[] LogP, double[]? Ess);

/// <summary>
/// What <see cref="TaskLoop"/> trains: one model, or several members stacked into one network and
/// trained in lockstep. Each epoch's random draws are seeded from the epoch alone, so an epoch
/// after a resume draws what it would have drawn without the interruption.
/// </summary>
internal interface ITrainingUnit
{
    int Members { get; }

    /// <summary>One epoch of every member; each member's mean loss per example.</summary>
    double[] TrainEpoch(int epoch, CancellationToken cancellation);

    /// <param name="onBatch">(member, done, total) after each evaluated batch.</param>
    MemberEvaluation[] Evaluate(int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation);

    /// <summary>Parameters and optimizer of every member, or null when the model cannot be checkpointed.</summary>
    ICheckpointable? State { get; }
}

/// <summary>Where a unit's state and history are saved every few epochs and read back; the file format is the implementation's.</summary>
internal interface ITrainingCheckpoint
{
    /// <summary>Save every this many epochs; 0 = never (a saved checkpoint is still resumed).</summary>
    int EveryEpochs { get; }

    /// <summary>Restores the saved state into the unit and returns the history so far, or null when nothing is saved.</summary>
    TrainingHistory? Restore(ICheckpointable state, int epochs, IReadOnlyCollection<int> evaluationEpochs);

    void Save(ICheckpointable state, TrainingHistory history);
}
