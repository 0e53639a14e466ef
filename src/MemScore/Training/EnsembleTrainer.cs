using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>The seeds of one member's epoch: training order, reparameterisation noise, batch augmentation.</summary>
public readonly record struct MemberSeeds(long Order, long Noise, long Augment);

/// <summary>
/// Trains several (repeat, fold) tasks of one run as one <see cref="MlpVaeEnsemble"/>, epoch by epoch,
/// and evaluates them at the evaluation epochs. Each member draws from generators seeded exactly as
/// <see cref="TaskRunner"/> seeds its task ("model-init", "batch-order", "train-noise", "train-augment",
/// "is-noise"), so its <see cref="TaskResult"/> equals the separately trained one up to float round-off.
/// With checkpointing, the whole ensemble's state is saved every few epochs and a rerun continues
/// from it, bit-identical to an uninterrupted run (every epoch's generators are seeded afresh).
/// </summary>
public sealed class EnsembleTrainer(ExperimentConfig config, ExperimentData data, FoldPlan plan, Device? device = null)
{
    const int CollectEverySteps = 200;

    /// <summary>True for the model families an ensemble can train (the Bernoulli MLP VAE).</summary>
    public static bool Supports(ExperimentConfig config) => config.Model == BernoulliMlpVae.FamilyName;

    public IReadOnlyList<TaskResult> Run(IReadOnlyList<TaskId> tasks, IProgress<TaskProgress>? progress = null, CancellationToken cancellation = default,
        TaskCheckpointing? checkpointing = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0) throw new ArgumentException("no tasks to train", nameof(tasks));
        if (!Supports(config)) throw new InvalidConfigurationException($"model = {config.Model}: ensembles train only {BernoulliMlpVae.FamilyName}");
        if (tasks.Distinct().Count() != tasks.Count) throw new ArgumentException("a task appears twice", nameof(tasks));
        var clock = Stopwatch.StartNew();
        long Seed(TaskId task, string purpose, params long[] more) =>
            SeedDeriver.Derive(config.Seed, purpose, [task.Repeat, task.Fold, .. more]);

        var trainRows = tasks.Select(plan.TrainingExamples).ToArray();
        var batches = TrainingBatches.For(data, config);
        long inputSize = data.ImageShape.Aggregate(1L, (a, b) => a * b);
        using var ensemble = new MlpVaeEnsemble(new BernoulliMlpVaeOptions(config.LatentDim), inputSize,
            tasks.Select(t => Seed(t, "model-init")).ToArray(), config.LearningRate, config.ImportanceSamples, device);
        var evaluationEpochs = config.EvaluationEpochs();
        var losses = tasks.Select(_ => new double[config.Epochs]).ToArray();
        var logLikelihoods = tasks.Select(_ => new List<double[]>()).ToArray();
        var effectiveSampleSizes = tasks.Select(_ => new List<double[]>()).ToArray();
        int firstEpoch = 1;
        if (checkpointing is not null && File.Exists(checkpointing.Path))
        {
            var checkpoint = EnsembleCheckpointFile.Read(checkpointing.Path, data.Count);
            if (checkpoint.Repeat != tasks[0].Repeat || checkpoint.Members != tasks.Count || checkpoint.ConfigHash != config.Hash()
                || checkpoint.CompletedEpochs >= config.Epochs || checkpoint.LogLikelihoods[0].Length != evaluationEpochs.Count(e => e <= checkpoint.CompletedEpochs))
                throw new MemScoreException(ErrorKind.RunFolder, $"{checkpointing.Path}: checkpoint does not belong to this ensemble of this config; delete it to retrain the repeat");
            ensemble.LoadState(checkpoint.ModelState, checkpointing.Path);
            for (int m = 0; m < tasks.Count; m++)
            {
                checkpoint.TrainLoss[m].CopyTo(losses[m], 0);
                logLikelihoods[m].AddRange(checkpoint.LogLikelihoods[m]);
                effectiveSampleSizes[m].AddRange(checkpoint.EffectiveSampleSizes[m]);
            }
            firstEpoch = checkpoint.CompletedEpochs + 1;
        }
        for (int epoch = firstEpoch; epoch <= config.Epochs; epoch++)
        {
            int e = epoch;
            var epochLosses = TrainEpoch(ensemble, batches, trainRows, config.BatchSize,
                tasks.Select(t => new MemberSeeds(Seed(t, "batch-order", e), Seed(t, "train-noise", e), Seed(t, "train-augment", e))).ToArray(),
                tasks, epoch, cancellation);
            for (int m = 0; m < tasks.Count; m++)
            {
                losses[m][epoch - 1] = epochLosses[m];
                progress?.Report(new TaskProgress(tasks[m], TaskPhase.Training, epoch, config.Epochs, epoch, config.Epochs, epochLosses[m]));
            }
            if (evaluationEpochs.Contains(epoch)) EvaluateAll(epoch);
            if (checkpointing is not null && epoch < config.Epochs && epoch % checkpointing.EveryEpochs == 0)
            {
                EnsembleCheckpointFile.Write(checkpointing.Path, new EnsembleCheckpoint(tasks[0].Repeat, config.Hash(), epoch,
                    losses.Select(l => l[..epoch]).ToArray(), logLikelihoods.Select(l => l.ToArray()).ToArray(),
                    effectiveSampleSizes.Select(l => l.ToArray()).ToArray(), ensemble.SaveState()), data.Count);
                FaultInjection.Reached("checkpoint");
            }
        }
        void EvaluateAll(int e)
        {
            var (logp, ess) = Evaluate(ensemble, data.Scored, config.EvalBatchSize, tasks.Select(t => Seed(t, "is-noise", e)).ToArray(), tasks, e,
                progress is null ? null : (m, done, total) => progress.Report(new TaskProgress(tasks[m], TaskPhase.Evaluating, e, config.Epochs, done, total, null)),
                cancellation);
            for (int m = 0; m < tasks.Count; m++)
            {
                logLikelihoods[m].Add(logp[m]);
                effectiveSampleSizes[m].Add(ess[m]);
            }
        }
        double seconds = clock.Elapsed.TotalSeconds / tasks.Count;   // the ensemble's time, shared equally
        return tasks.Select((task, m) => new TaskResult(task, config.Hash(), evaluationEpochs, logLikelihoods[m].ToArray(), plan.HeldOut(task),
            losses[m], seconds, effectiveSampleSizes[m].ToArray())).ToArray();
    }

    /// <summary>
    /// One epoch of every member over its own rows in its own seeded order, as <see cref="EpochTrainer.Run"/> does for
    /// one model; a member with fewer batches sits out the last steps. Returns each member's mean loss per example.
    /// </summary>
    public static double[] TrainEpoch(MlpVaeEnsemble ensemble, TrainingBatches batches, int[][] rows, int batchSize, MemberSeeds[] seeds,
        IReadOnlyList<TaskId> tasks, int epoch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        int members = tasks.Count;
        if (rows.Length != members || seeds.Length != members || ensemble.Members != members)
            throw new ArgumentException($"{ensemble.Members} members, {tasks.Count} tasks, {rows.Length} row sets and {seeds.Length} seed sets must agree");
        var orders = Enumerable.Range(0, members)
            .Select(m => Array.ConvertAll(new SplitMix64(seeds[m].Order).Permutation(rows[m].Length), k => (long)rows[m][k])).ToArray();
        var noises = seeds.Select(s => new Generator((ulong)s.Noise)).ToArray();
        var augments = seeds.Select(s => batches.IsRandom ? new Generator((ulong)s.Augment) : null).ToArray();
        try
        {
            var totals = new double[members];
            int steps = orders.Max(o => (o.Length + batchSize - 1) / batchSize);
            for (int step = 0; step < steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                int start = step * batchSize;
                var minibatches = orders.Select((order, m) => start >= order.Length ? null
                    : batches.Make(tensor(order[start..Math.Min(start + batchSize, order.Length)]), augments[m])).ToArray();
                var stepLosses = ensemble.TrainStep(minibatches, noises.Select((g, m) => minibatches[m] is null ? null : g).ToArray());
                for (int m = 0; m < members; m++)
                {
                    if (minibatches[m] is null) continue;
                    if (!double.IsFinite(stepLosses[m]))
                        throw new NumericalFailureException($"training loss became {stepLosses[m]} at {tasks[m]}, epoch {epoch}, batch {step}; try a smaller learning rate");
                    totals[m] += stepLosses[m] * minibatches[m]!.shape[0];
                }
                if (step % CollectEverySteps == CollectEverySteps - 1) CollectNativeGarbage();
            }
            CollectNativeGarbage();
            return totals.Select((total, m) => total / orders[m].Length).ToArray();
        }
        finally
        {
            foreach (var g in noises) g.Dispose();
            foreach (var g in augments) g?.Dispose();
        }
    }

    /// <summary>
    /// log p(x) and ESS [member][example] of every image under every member, in batches of <paramref name="batchSize"/>,
    /// member m's noise from a generator seeded with <paramref name="noiseSeeds"/>[m] (as <see cref="EpochTrainer.Evaluate"/>).
    /// </summary>
    /// <param name="onBatch">(member, done, total) after each batch.</param>
    public static (double[][] LogP, double[][] Ess) Evaluate(MlpVaeEnsemble ensemble, Tensor images, int batchSize, long[] noiseSeeds,
        IReadOnlyList<TaskId> tasks, int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        int n = (int)images.shape[0], members = tasks.Count;
        if (noiseSeeds.Length != members || ensemble.Members != members)
            throw new ArgumentException($"{ensemble.Members} members, {tasks.Count} tasks and {noiseSeeds.Length} noise seeds must agree");
        var logp = tasks.Select(_ => new double[n]).ToArray();
        var ess = tasks.Select(_ => new double[n]).ToArray();
        var noises = noiseSeeds.Select(s => new Generator((ulong)s)).ToArray();
        try
        {
            for (int start = 0; start < n; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int size = Math.Min(batchSize, n - start);
                using var scope = NewDisposeScope();
                var (batchLogP, batchEss) = ensemble.LogLikelihoodWithEss(Data.ImageTransforms.AsIntensities(images.narrow(0, start, size)), noises);
                for (int m = 0; m < members; m++)
                {
                    var values = batchLogP[m].data<double>().ToArray();
                    int bad = Array.FindIndex(values, v => !double.IsFinite(v));
                    if (bad >= 0) throw new NumericalFailureException($"log p(x) of example {start + bad} is {values[bad]} at {tasks[m]}, epoch {epoch}");
                    values.CopyTo(logp[m], start);
                    batchEss[m].data<double>().ToArray().CopyTo(ess[m], start);
                    onBatch?.Invoke(m, start + size, n);
                }
            }
            return (logp, ess);
        }
        finally
        {
            foreach (var g in noises) g.Dispose();
        }
    }

    /// <summary>As in <see cref="EpochTrainer"/>: keeps the managed heap, and so RSS, flat; safe only with no implicit Scalars (ScalarScope).</summary>
    static void CollectNativeGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}
