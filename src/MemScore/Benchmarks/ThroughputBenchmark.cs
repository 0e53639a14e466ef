using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Benchmarks;

internal sealed record BenchmarkLine(string Name, double Value, string Unit);

/// <summary>
/// Throughput of the two hot loops on this machine, side by side in one process:
/// a large-sgemm peak (2048^3 matmuls), training images/s of the Bernoulli MLP VAE (batch 64, Adam),
/// and importance-sampled log p(x) images/s at S = 256 with the achieved GFLOP/s of its matmuls
/// as a fraction of that peak. Inputs are random binary 32x32 images (speed does not depend on content).
/// </summary>
internal static class ThroughputBenchmark
{
    const string Label = "the throughput benchmark";

    public static IEnumerable<BenchmarkLine> Run(int threads, bool quick, Action<string>? log = null)
    {
        DenormalFlushing.SetForCurrentThread(true);
        TorchThreads.Use(threads);
        double peak = SgemmPeakGflops(quick ? 6 : 20);
        yield return new("sgemm_peak_gflops", peak, "GFLOP/s");

        using var generator = new Generator(1);
        int trainImages = quick ? 64 * 150 : 64 * 800;
        using var k = new ScalarScope();
        using var prepared = ExperimentData.FromScored(rand([trainImages, 1, 32, 32], generator: generator).lt(k[0.2]).to_type(ScalarType.Float32));
        var data = prepared.Scored;
        var batches = new TrainingBatches(prepared, redraw: false, flip: false);
        using var model = BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 16, 1e-3, 256, 1));
        EpochTrainer.Run(model, batches, Enumerable.Range(0, 64 * 20).ToArray(), 64, new EpochSeeds(1, 1, 1), Label, 1, default);   // warm-up
        var clock = Stopwatch.StartNew();
        EpochTrainer.Run(model, batches, Enumerable.Range(0, trainImages).ToArray(), 64, new EpochSeeds(2, 2, 2), Label, 1, default);
        yield return new("train_images_per_s", trainImages / clock.Elapsed.TotalSeconds, "images/s");

        int evalImages = quick ? 1024 : 4096;
        using var evalData = data.narrow(0, 0, evalImages);
        EpochTrainer.Evaluate(model, evalData.narrow(0, 0, 128), 128, 3, Label, 1, null, default);   // warm-up
        clock.Restart();
        EpochTrainer.Evaluate(model, evalData, 128, 4, Label, 1, null, default);
        double imagesPerSecond = evalImages / clock.Elapsed.TotalSeconds;
        yield return new("is_images_per_s_s256", imagesPerSecond, "images/s");
        double gflops = imagesPerSecond * FlopsPerImage(256) / 1e9;
        yield return new("is_gflops", gflops, "GFLOP/s");
        yield return new("is_gflops_fraction_of_peak", gflops / peak, "");
    }

    /// <summary>Matmul FLOPs of one image's IS estimate: encoder once, decoder S times (2 FLOPs per multiply-add).</summary>
    public static double FlopsPerImage(int samples)
    {
        long encoder = 1024L * 512 + 512 * 256 + 2 * 256 * 16;
        long decoder = 16L * 256 + 256 * 512 + 512 * 1024;
        return 2.0 * (encoder + samples * decoder);
    }

    /// <summary>GFLOP/s of 2048^3 float32 matmuls on the current threads.</summary>
    public static double SgemmPeakGflops(int repetitions)
    {
        const int n = 2048;
        using var generator = new Generator(2);
        using var a = randn([n, n], generator: generator);
        using var b = randn([n, n], generator: generator);
        using (var warm = a.mm(b)) { }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repetitions; i++)
            using (var c = a.mm(b)) { }
        return 2.0 * n * n * n * repetitions / clock.Elapsed.TotalSeconds / 1e9;
    }
}
