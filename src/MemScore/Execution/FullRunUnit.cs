using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <summary>
/// The model of `memscore full` as a training unit: a <see cref="SingleModelUnit"/> evaluated on the training
/// examples, plus after every epoch the eval-mode losses of the training and test examples, and at every
/// evaluation also log p(x) of the test examples.
/// </summary>
sealed class FullRunUnit(SingleModelUnit model, Tensor trainImages, Tensor testImages, SeedSchedule seeds, int evalBatchSize) : ITrainingUnit
{
    public List<double> TrainEvalLoss { get; private set; } = [];
    public List<double> TestEvalLoss { get; private set; } = [];
    public List<double[]> TestLogP { get; private set; } = [];

    public int Members => 1;
    public ICheckpointable? State => model.State;

    public double[] TrainEpoch(int epoch, CancellationToken cancellation)
    {
        var losses = model.TrainEpoch(epoch, cancellation);
        var curveSeeds = seeds.FullRunCurves(epoch);
        TrainEvalLoss.Add(MeanLoss(trainImages, curveSeeds.TrainLoss, cancellation));
        TestEvalLoss.Add(MeanLoss(testImages, curveSeeds.TestLoss, cancellation));
        return losses;
    }

    public MemberEvaluation[] Evaluate(int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation)
    {
        var train = model.Evaluate(epoch, onBatch, cancellation);
        TestLogP.Add(EpochTrainer.Evaluate(model.Model, testImages, evalBatchSize, seeds.FullRunCurves(epoch).TestEvaluation, model.Label, epoch,
            null, cancellation).LogP);
        return train;
    }

    public FullCurves Curves(TrainingHistory history, int[] evaluationEpochs) => new(history.TrainLoss(0), [.. TrainEvalLoss], [.. TestEvalLoss],
        evaluationEpochs.Where(e => e <= history.CompletedEpochs).ToArray(), history.LogP(0), [.. TestLogP]);

    /// <summary>Continues the curves of a checkpoint; the training loss and training log p(x) are the history's.</summary>
    public void Restore(FullCurves saved) => (TrainEvalLoss, TestEvalLoss, TestLogP) = ([.. saved.TrainEvalLoss], [.. saved.TestEvalLoss], [.. saved.TestLogP]);

    /// <summary>Mean eval-mode loss per example: the model's training objective if it has one, else -log p(x).</summary>
    double MeanLoss(Tensor images, long noiseSeed, CancellationToken cancellation)
    {
        using var noise = new Generator((ulong)noiseSeed);
        double total = 0;
        long n = images.shape[0];
        for (long start = 0; start < n; start += evalBatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = ImageTransforms.AsIntensities(images.narrow(0, start, Math.Min(evalBatchSize, n - start)));
            var loss = model.Model is IEvaluationLoss evaluated ? evaluated.PerExampleLoss(batch, noise) : model.Model.LogLikelihood(batch, noise).neg();
            total += loss.sum().item<double>();
        }
        return total / n;
    }
}

/// <summary>checkpoint.npz of a full run: the curves so far (<see cref="FullRunFolder.ToArrays"/>) beside the model state.</summary>
/// <param name="stepsPerEpoch">Optimizer steps per epoch, to check the saved Adam step count.</param>
/// <param name="warn">Receives the warning when a damaged checkpoint is discarded (<see cref="DamagedCheckpoint"/>).</param>
sealed class FullRunCheckpoint(FullRunUnit unit, FullRunFolder folder, string configHash, int everyEpochs, int trainCount, int testCount,
    int[] runEvaluationEpochs, long stepsPerEpoch, Action<string>? warn) : ITrainingCheckpoint
{
    public int EveryEpochs => Math.Max(0, everyEpochs);

    public TrainingHistory? Restore(ICheckpointable state, int epochs, IReadOnlyCollection<int> evaluationEpochs)
    {
        if (!File.Exists(folder.CheckpointPath)) return null;
        var (saved, hash, modelState) = FullRunFolder.Read(folder.CheckpointPath, trainCount, testCount);
        if (hash != configHash) throw new MemScoreException(ErrorKind.RunFolder, $"{folder.CheckpointPath}: checkpoint of another config; delete it to start over");
        var history = new TrainingHistory([saved.TrainLoss], [saved.TrainLogP], [[]]);
        if (!history.ResumesWithin(epochs, evaluationEpochs))
            throw new MemScoreException(ErrorKind.RunFolder, $"{folder.CheckpointPath}: checkpoint does not fit this run's epochs; delete it to start over");
        if ((DamagedCheckpoint.Problem(modelState, [stepsPerEpoch], history, null, trainCount)
             ?? ResultValues.Problem(saved.TestLogP, null, [.. saved.TrainEvalLoss, .. saved.TestEvalLoss], null, testCount)) is { } problem)
        {
            warn?.Invoke(DamagedCheckpoint.Discard(folder.CheckpointPath, problem, "training restarts"));
            return null;
        }
        state.LoadState(modelState, folder.CheckpointPath);
        unit.Restore(saved);
        return history;
    }

    public void Save(ICheckpointable state, TrainingHistory history) => Write(folder.CheckpointPath, state, history);

    /// <summary>The curves and the model state in one file: a checkpoint, or model.npz of the finished run.</summary>
    public void Write(string path, ICheckpointable state, TrainingHistory history)
    {
        var arrays = new Dictionary<string, NpyArray>(FullRunFolder.ToArrays(unit.Curves(history, runEvaluationEpochs), configHash));
        foreach (var (key, value) in state.SaveState()) arrays[key] = value;
        AtomicFile.Write(path, s => Npz.WriteTo(s, arrays));
    }
}
