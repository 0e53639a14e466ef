using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// One epoch and one evaluation of a <see cref="MlpVaeEnsemble"/>, as <see cref="EpochTrainer"/> does for one model:
/// member m draws from generators seeded exactly as its separately trained task's, so it follows that task up to
/// float round-off. The loop around them is <see cref="TaskLoop"/> (through <see cref="FoldEnsembleUnit"/>).
/// </summary>
internal static class EnsembleTrainer
{
    const int CollectEverySteps = 200;

    /// <summary>True for the model families an ensemble can train (the Bernoulli MLP VAE).</summary>
    public static bool Supports(ExperimentConfig config) => config.Model == BernoulliMlpVae.FamilyName;

    /// <summary>
    /// One epoch of every member over its own rows in its own seeded order, as <see cref="EpochTrainer.Run"/> does for
    /// one model; a member with fewer batches sits out the last steps. Returns each member's mean loss per example.
    /// </summary>
    /// <param name="labels">Name the members in error messages.</param>
    public static double[] TrainEpoch(MlpVaeEnsemble ensemble, TrainingBatches batches, int[][] rows, int batchSize, EpochSeeds[] seeds,
        IReadOnlyList<string> labels, int epoch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        int members = labels.Count;
        if (rows.Length != members || seeds.Length != members || ensemble.Members != members)
            throw new ArgumentException($"{ensemble.Members} members, {labels.Count} labels, {rows.Length} row sets and {seeds.Length} seed sets must agree");
        var orders = Enumerable.Range(0, members)
            .Select(m => Array.ConvertAll(new SplitMix64(seeds[m].BatchOrder).Permutation(rows[m].Length), k => (long)rows[m][k])).ToArray();
        var noises = seeds.Select(s => new Generator((ulong)s.TrainNoise)).ToArray();
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
                        throw new NumericalFailureException($"training loss became {stepLosses[m]} at {labels[m]}, epoch {epoch}, batch {step}; try a smaller learning rate");
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
        IReadOnlyList<string> labels, int epoch, Action<int, int, int>? onBatch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        int n = (int)images.shape[0], members = labels.Count;
        if (noiseSeeds.Length != members || ensemble.Members != members)
            throw new ArgumentException($"{ensemble.Members} members, {labels.Count} labels and {noiseSeeds.Length} noise seeds must agree");
        var logp = labels.Select(_ => new double[n]).ToArray();
        var ess = labels.Select(_ => new double[n]).ToArray();
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
                    if (bad >= 0) throw new NumericalFailureException($"log p(x) of example {start + bad} is {values[bad]} at {labels[m]}, epoch {epoch}");
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
