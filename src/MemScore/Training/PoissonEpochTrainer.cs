using MemScore.Core;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// One DP-SGD epoch with Poisson sampling, the sampling the accountant assumes (Mironov et al. 2019): as many steps as a
/// normal epoch has batches, ceil(n / B), and in each step every training example joins the batch independently with
/// probability q = B / n, so batch sizes vary around B and may be 0 (then the step is noise alone). Shuffled fixed-size
/// batches would be cheaper to reason about in code but are not what the RDP bound of the sampled Gaussian covers.
/// </summary>
internal static class PoissonEpochTrainer
{
    /// <returns>Mean loss per sampled example over the epoch (0 when no example was drawn).</returns>
    public static double Run(IPrivatelyTrainable model, TrainingBatches batches, int[] rows, int batchSize, EpochSeeds seeds,
        PrivateEpochSeeds privateSeeds, DpSgdStep step, string label, int epoch, CancellationToken cancellation)
    {
        int n = rows.Length;
        double q = SamplingRate(batchSize, n);
        long steps = EpochTrainer.StepsPerEpoch(n, batchSize);
        var sampling = new SplitMix64(privateSeeds.Sampling);
        using var noise = new Generator((ulong)seeds.TrainNoise);
        using var privacyNoise = new Generator((ulong)privateSeeds.Noise);
        using var augment = batches.IsRandom ? new Generator((ulong)seeds.Augment) : null;
        double total = 0;
        long drawn = 0;
        for (long s = 0; s < steps; s++)
        {
            cancellation.ThrowIfCancellationRequested();
            long[] chosen = Draw(rows, q, sampling);
            using var scope = NewDisposeScope();
            var batch = batches.Make(tensor(chosen), augment);
            double loss = model.PrivateTrainStep(batch, noise, privacyNoise, step);
            if (!double.IsFinite(loss))
                throw new NumericalFailureException($"training loss became {loss} at {label}, epoch {epoch}, batch {s}; try a smaller learning rate");
            total += loss * chosen.Length;
            drawn += chosen.Length;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return drawn == 0 ? 0 : total / drawn;
    }

    /// <summary>q = B / n, capped at 1.</summary>
    public static double SamplingRate(int batchSize, int trainingExamples) => Math.Min(1.0, batchSize / (double)trainingExamples);

    static long[] Draw(int[] rows, double q, SplitMix64 sampling)
    {
        var chosen = new List<long>();
        foreach (int row in rows)
            if (sampling.NextDouble() < q) chosen.Add(row);
        return [.. chosen];
    }
}
