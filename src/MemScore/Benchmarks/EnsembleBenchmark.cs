using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Benchmarks;

/// <summary>Settings of <see cref="EnsembleBenchmark"/>; defaults are the K = 5 case of bench/ensemble.md.</summary>
internal sealed record EnsembleBenchmarkOptions(int Members = 5, int Images = 8000, int EvalImages = 1024, int Samples = 64,
    int BatchSize = 64, int EvalBatchSize = 128, int Threads = 2, int Rounds = 3);

/// <summary>One timing: which path, what it did, seconds and the resulting rate.</summary>
internal sealed record EnsembleTiming(int Round, string Path, string Work, double Seconds, double PerSecond);

/// <summary>
/// Sequential vs ensemble on the same work: one training epoch of K Bernoulli MLP VAEs, each on
/// the images minus its fold (K-fold split of random binary 32x32 images; speed does not depend on
/// content), and importance-sampled log p(x) of EvalImages images under all K models. The two paths
/// alternate within each round so that load from other processes hits both alike; compare medians.
/// </summary>
internal static class EnsembleBenchmark
{
    public static IEnumerable<EnsembleTiming> Run(EnsembleBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DenormalFlushing.SetForCurrentThread(true);
        TorchThreads.Use(options.Threads);
        using var generator = new TorchSharp.torch.Generator(1);
        using var k = new ScalarScope();
        using var data = ExperimentData.FromScored(rand([options.Images, 1, 32, 32], generator: generator).lt(k[0.2]).to_type(ScalarType.Float32));
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        var plan = new FoldPlan(options.Images, options.Members, 1, 7);
        var tasks = Enumerable.Range(0, options.Members).Select(f => new TaskId(0, f)).ToArray();
        var rows = tasks.Select(plan.TrainingExamples).ToArray();
        using var evalImages = data.Scored.narrow(0, 0, options.EvalImages);
        for (int round = 1; round <= options.Rounds; round++)
        {
            // Alternate which path goes first so a slow phase of the machine does not always hit the same one.
            bool sequentialFirst = round % 2 == 1;
            foreach (bool sequential in sequentialFirst ? new[] { true, false } : [false, true])
                foreach (var timing in sequential ? Sequential(options, batches, rows, tasks, evalImages, round) : Ensemble(options, batches, rows, tasks, evalImages, round))
                    yield return timing;
        }
    }

    static IEnumerable<EnsembleTiming> Sequential(EnsembleBenchmarkOptions o, TrainingBatches batches, int[][] rows, TaskId[] tasks, Tensor evalImages, int round)
    {
        var models = tasks.Select((_, m) => BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 16, 1e-3, o.Samples, 100 + m))).ToArray();
        try
        {
            var clock = Stopwatch.StartNew();
            for (int m = 0; m < models.Length; m++)
                EpochTrainer.Run(models[m], batches, rows[m], o.BatchSize, new EpochSeeds(round, round, round), tasks[m].ToString(), 1, default);
            double train = clock.Elapsed.TotalSeconds;
            yield return new(round, "sequential", $"train epoch, {o.Members} members", train, rows.Sum(r => r.Length) / train);
            clock.Restart();
            for (int m = 0; m < models.Length; m++)
                EpochTrainer.Evaluate(models[m], evalImages, o.EvalBatchSize, round, tasks[m].ToString(), 1, null, default);
            double score = clock.Elapsed.TotalSeconds;
            yield return new(round, "sequential", $"IS log p, S={o.Samples}", score, o.EvalImages * o.Members / score);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    static IEnumerable<EnsembleTiming> Ensemble(EnsembleBenchmarkOptions o, TrainingBatches batches, int[][] rows, TaskId[] tasks, Tensor evalImages, int round)
    {
        using var ensemble = new MlpVaeEnsemble(new BernoulliMlpVaeOptions(16), 1024, tasks.Select((_, m) => 100L + m).ToArray(), 1e-3, o.Samples);
        var seeds = tasks.Select(_ => new EpochSeeds(round, round, round)).ToArray();
        var labels = tasks.Select(t => t.ToString()).ToArray();
        var clock = Stopwatch.StartNew();
        EnsembleTrainer.TrainEpoch(ensemble, batches, rows, o.BatchSize, seeds, labels, 1, default);
        double train = clock.Elapsed.TotalSeconds;
        yield return new(round, "ensemble", $"train epoch, {o.Members} members", train, rows.Sum(r => r.Length) / train);
        clock.Restart();
        EnsembleTrainer.Evaluate(ensemble, evalImages, o.EvalBatchSize, tasks.Select(_ => (long)round).ToArray(), labels, 1, null, default);
        double score = clock.Elapsed.TotalSeconds;
        yield return new(round, "ensemble", $"IS log p, S={o.Samples}", score, o.EvalImages * o.Members / score);
    }
}
