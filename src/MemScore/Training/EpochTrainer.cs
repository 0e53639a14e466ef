using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>One pass over the training examples in a seeded random order, in minibatches.</summary>
internal static class EpochTrainer
{
    const int CollectEverySteps = 200;

    /// <summary>
    /// Collecting every 200 steps and at each epoch's end keeps RSS flat at negligible cost: training
    /// leaves no tensor or Scalar to the finalizer (FinalizerTensorTests, ScalarLifetimeRuleTests), but the
    /// runtime lets the managed heap of TorchSharp wrappers grow by 100+ MB between its own collections
    /// (issue 18 item 29: peak RSS 821 MB without, 667 MB with, on 2,000 digits, K=5, L=2, 3 epochs).
    /// A collection here runs finalizers while other workers compute, which is safe only because no
    /// Scalar is made outside a ScalarScope and no tensor outside a dispose scope is left undisposed:
    /// implicit Scalars and the temporaries of checkpoint saves were freed mid-call and crashed libtorch.
    /// </summary>
    static void CollectNativeGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Optimizer steps of one epoch of <see cref="Run"/>: one per batch, the last one possibly smaller.</summary>
    public static long StepsPerEpoch(int rows, int batchSize) => ((long)rows + batchSize - 1) / batchSize;

    /// <param name="rows">The data rows to train on, so no copy of the training set is made.</param>
    /// <param name="seeds">Order, training noise, and per-batch redraws and flips (unused when the batches are not random).</param>
    /// <param name="label">Names the model in error messages.</param>
    /// <returns>Mean loss per example over the epoch.</returns>
    public static double Run(IDensityModel model, TrainingBatches batches, int[] rows, int batchSize, EpochSeeds seeds,
        string label, int epoch, CancellationToken cancellation)
    {
        int n = rows.Length;
        long[] order = Array.ConvertAll(new SplitMix64(seeds.BatchOrder).Permutation(n), k => (long)rows[k]);
        using var noise = new Generator((ulong)seeds.TrainNoise);
        using var augment = batches.IsRandom ? new Generator((ulong)seeds.Augment) : null;
        double total = 0;
        int batchIndex = 0;
        for (int start = 0; start < n; start += batchSize, batchIndex++)
        {
            cancellation.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, n - start);
            using var scope = NewDisposeScope();
            var index = tensor(order[start..(start + size)]);
            var batch = batches.Make(index, augment);
            double loss = model.TrainStep(batch, noise);
            if (!double.IsFinite(loss))
                throw new NumericalFailureException($"training loss became {loss} at {label}, epoch {epoch}, batch {batchIndex}; try a smaller learning rate");
            total += loss * size;
            if (batchIndex % CollectEverySteps == CollectEverySteps - 1) CollectNativeGarbage();
        }
        CollectNativeGarbage();
        return total / n;
    }

    /// <summary>
    /// log p(x) of every image, or of <paramref name="rows"/> only (then NaN elsewhere), in batches
    /// of <paramref name="batchSize"/>, noise from one seeded generator; plus the importance-sampling
    /// effective sample size when the model reports one.
    /// </summary>
    /// <param name="rows">Sorted rows to evaluate, gathered batch by batch (no copy of the data set); null = all.</param>
    /// <param name="sharing">Idle workers that may score batches of an importance-sampled model too (<see cref="SharedEvaluation"/>: same values).</param>
    public static (double[] LogP, double[]? Ess) Evaluate(IDensityModel model, Tensor images, int batchSize, long noiseSeed,
        string label, int epoch, Action<int, int>? onBatch, CancellationToken cancellation, int[]? rows = null, EvaluationSharing? sharing = null)
    {
        if (sharing is not null && model is IImportanceSampledModel shareable)
            return SharedEvaluation.Run(shareable, images, batchSize, noiseSeed, label, epoch, onBatch, sharing, cancellation, rows);
        int count = (int)images.shape[0];
        int n = rows?.Length ?? count;
        var result = new double[count];
        var sampled = model as IImportanceSampledModel;
        var ess = sampled is null ? null : new double[count];
        if (rows is not null)
        {
            Array.Fill(result, double.NaN);
            if (ess is not null) Array.Fill(ess, double.NaN);
        }
        using var noise = new Generator((ulong)noiseSeed);
        for (int start = 0; start < n; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int size = Math.Min(batchSize, n - start);
            using var scope = NewDisposeScope();
            var batch = BatchOf(images, rows, start, size);
            double[] values, batchEss = [];
            if (sampled is null) values = model.LogLikelihood(batch, noise).data<double>().ToArray();
            else
            {
                var (logp, essTensor) = sampled.LogLikelihoodWithEss(batch, noise);
                values = logp.data<double>().ToArray();
                batchEss = essTensor.data<double>().ToArray();
            }
            for (int k = 0; k < size; k++)
            {
                int row = rows is null ? start + k : rows[start + k];
                if (!double.IsFinite(values[k]))
                    throw new NumericalFailureException($"log p(x) of example {row} is {values[k]} at {label}, epoch {epoch}");
                result[row] = values[k];
                if (ess is not null) ess[row] = batchEss[k];
            }
            onBatch?.Invoke(Math.Min(start + size, n), n);
        }
        return (result, ess);
    }

    /// <summary>Positions start..start+size of <paramref name="rows"/> (of all images when null); only the batch is copied.</summary>
    static Tensor BatchOf(Tensor images, int[]? rows, int start, int size) => ImageTransforms.AsIntensities(rows is null
        ? images.narrow(0, start, size)
        : images.index_select(0, tensor(Array.ConvertAll(rows[start..(start + size)], i => (long)i))));
}
