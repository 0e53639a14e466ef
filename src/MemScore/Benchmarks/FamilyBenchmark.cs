using System.Diagnostics;
using MemScore.Core;
using MemScore.Likelihood;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Benchmarks;

/// <summary>One family's benchmark setting: the paper's image shape, latent size and S (METHOD.md sections 3-4).</summary>
internal sealed record FamilyBenchmarkCase(ModelFamily Family, long[] ImageShape, int LatentDim, int Samples, FlopCount Flops);

/// <summary>One family's measured throughput; fractions are of the sgemm peak measured in the same process.</summary>
internal sealed record FamilyBenchmarkRow(string Family, int Samples, double TrainImagesPerSecond, double TrainGflops,
    double IsImagesPerSecond, double IsGflops, double TrainFlopsPerImage, double IsFlopsPerImage, double Peak)
{
    public double TrainFractionOfPeak => TrainGflops / Peak;
    public double IsFractionOfPeak => IsGflops / Peak;
}

/// <summary>
/// Training and log p(x) throughput of every family on random inputs of its input kind (speed does not depend
/// on content): Adam steps on batches of 64, then log p(x) of batches with S samples, each timed for a
/// fixed wall-clock budget after a warm-up.
/// </summary>
internal static class FamilyBenchmark
{
    public const int TrainBatch = 64;

    /// <summary>Every family at the paper's settings: MNIST-like 1x32x32 (latent 16, S = 256) for the binary
    /// families, CIFAR-like 3x32x32 (latent 64, S = 128) for the others; DC-VAE width F = 32.</summary>
    public static IReadOnlyList<FamilyBenchmarkCase> PaperCases()
    {
        long[] mnist = [1, 32, 32], cifar = [3, 32, 32];
        const int f = DcVaeOptions.DefaultFeatureMaps;
        FamilyBenchmarkCase Dc(ModelFamily family, long[] shape, int latent, int samples, long outputChannels) =>
            new(family, shape, latent, samples, FlopCount.DcVae(shape[0], f, latent, outputChannels));
        return
        [
            new(BernoulliMlpVaeFamily.Family, mnist, 16, 256, FlopCount.MlpVae(1024, 16)),
            Dc(DcVaeFamilies.Bernoulli, mnist, 16, 256, 1),
            Dc(DcVaeFamilies.Gaussian, cifar, 64, 128, 6),
            Dc(DcVaeFamilies.ConstantGaussian, cifar, 32, 128, 3),
            Dc(DcVaeFamilies.LogisticMixture, cifar, 64, 128,
                DiscretizedLogisticMixture.OutputChannels(3, LogisticMixtureDcVaeHead.DefaultComponents)),
            new(RealNvpFamily.Family, cifar, 64, 1, FlopCount.RealNvp(3, 32, new RealNvpOptions())),
        ];
    }

    /// <param name="seconds">Wall-clock budget of each timed loop (at least one batch runs).</param>
    /// <param name="evalBatch">Images per log p(x) batch.</param>
    public static FamilyBenchmarkRow Measure(FamilyBenchmarkCase setting, double peak, double seconds, int evalBatch)
    {
        ArgumentNullException.ThrowIfNull(setting);
        using var generator = new Generator(3);
        using var model = setting.Family.Create(new ModelContext(setting.ImageShape, setting.LatentDim, 1e-3, setting.Samples, 1));
        using var trainData = RandomImages(setting.Family.Input, TrainBatch, setting.ImageShape, generator);
        using var evalData = trainData.narrow(0, 0, Math.Min(evalBatch, TrainBatch));
        double train = ImagesPerSecond(TrainBatch, seconds, () => model.TrainStep(trainData, generator));
        double logP = ImagesPerSecond(evalData.shape[0], seconds, () => model.LogLikelihood(evalData, generator).Dispose());
        double trainFlops = setting.Flops.TrainingFlopsPerImage, isFlops = setting.Flops.LogLikelihoodFlopsPerImage(setting.Samples);
        return new(setting.Family.Name, setting.Samples, train, train * trainFlops / 1e9, logP, logP * isFlops / 1e9, trainFlops, isFlops, peak);
    }

    /// <summary>Images per second of <paramref name="step"/> on <paramref name="images"/> images: one warm-up call, then calls until the budget is spent.</summary>
    static double ImagesPerSecond(long images, double seconds, Action step)
    {
        Scoped(step);
        int calls = 0;
        var clock = Stopwatch.StartNew();
        do { Scoped(step); calls++; } while (clock.Elapsed.TotalSeconds < seconds);
        return calls * images / clock.Elapsed.TotalSeconds;
    }

    static void Scoped(Action step)
    {
        using var scope = NewDisposeScope();
        step();
    }

    static Tensor RandomImages(InputKind kind, long count, long[] shape, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var uniform = rand([count, .. shape], generator: generator);
        var images = kind switch
        {
            InputKind.Binary => uniform.lt(k[0.2]).to_type(ScalarType.Float32),
            InputKind.Discrete8Bit => uniform.mul(k[255.0]).floor().div(k[255.0]),
            _ => uniform.mul(k[255.0 / 256]).add(k[0.5 / 256], k.One),
        };
        return images.MoveToOuterDisposeScope();
    }
}

/// <summary>The per-family table as fixed-width text lines (invariant culture).</summary>
internal static class FamilyBenchmarkTable
{
    public static IEnumerable<string> Format(IEnumerable<FamilyBenchmarkRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        yield return $"{"family",-25} {"S",4} {"train img/s",11} {"train GF/img",12} {"train GF/s",10} {"train %pk",9} {"IS img/s",9} {"IS GF/img",9} {"IS GF/s",8} {"IS %pk",7}";
        foreach (var r in rows)
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{r.Family,-25} {r.Samples,4} {r.TrainImagesPerSecond,11:F1} {r.TrainFlopsPerImage / 1e9,12:F4} {r.TrainGflops,10:F1} {100 * r.TrainFractionOfPeak,9:F1} " +
                $"{r.IsImagesPerSecond,9:F1} {r.IsFlopsPerImage / 1e9,9:F3} {r.IsGflops,8:F1} {100 * r.IsFractionOfPeak,7:F1}");
    }
}
