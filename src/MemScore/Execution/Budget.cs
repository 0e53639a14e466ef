using System.Diagnostics;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <summary>
/// What a run costs before it starts: models, training example-passes, log p(x) evaluations and
/// decoder passes (examples x S; none for exact-likelihood models), and, when measured, the CPU time
/// they take on this machine.
/// </summary>
internal sealed record Budget(int Models, long TrainingExamplePasses, long Evaluations, long ImportanceSamples,
    double? TrainImagesPerSecond = null, double? EvalImagesPerSecond = null, bool ExactLikelihood = false)
{
    const string Probe = "the speed probe";

    public static Budget Count(ExperimentConfig config, int examples, bool exactLikelihood = false)
    {
        int models = config.Folds * config.Repeats;
        // Each model trains on n - |fold| examples; summed over the K folds of a repeat that is n (K - 1).
        long trainPerRepeat = (long)examples * (config.Folds - 1);
        // Every example is scored by its L out-models and its in-models: all L(K-1), or M with --in-models.
        int modelsPerExample = config.Repeats + (config.InModels ?? config.Repeats * (config.Folds - 1));
        long evaluations = (long)examples * modelsPerExample * config.EvaluationEpochs().Length;
        return new Budget(models, trainPerRepeat * config.Repeats * config.Epochs, evaluations,
            exactLikelihood ? 0 : evaluations * config.ImportanceSamples, ExactLikelihood: exactLikelihood);
    }

    public double? TrainingSeconds => TrainImagesPerSecond is double r ? TrainingExamplePasses / r : null;
    public double? EvaluationSeconds => EvalImagesPerSecond is double r ? Evaluations / r : null;

    /// <summary>
    /// Times a few training steps and one evaluation batch of a fresh model on random inputs of the
    /// run's shape (speed does not depend on pixel values), single process, the config's thread count.
    /// </summary>
    public Budget Measure(ExperimentConfig config, ModelRegistry models, long[] imageShape, int trainSteps = 12)
    {
        TorchThreads.Use(config.Threads);
        var family = models.Get(config.Model);
        using var model = family.Create(config.ModelContextFor(imageShape, initSeed: 1));
        using var generator = new Generator(1);
        int rows = config.BatchSize * trainSteps;
        using var data = ExperimentData.FromScored(RandomInputs([rows, .. imageShape], family.InputFor(config.ModelOptions), generator), family.InputFor(config.ModelOptions));
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        var allRows = Enumerable.Range(0, rows).ToArray();
        EpochTrainer.Run(model, batches, allRows[..config.BatchSize], config.BatchSize, new EpochSeeds(1, 1, 1), Probe, 1, default);   // warm-up
        var clock = Stopwatch.StartNew();
        EpochTrainer.Run(model, batches, allRows, config.BatchSize, new EpochSeeds(2, 2, 2), Probe, 1, default);
        double train = rows / clock.Elapsed.TotalSeconds;
        int evalRows = Math.Min(rows, config.EvalBatchSize);
        using var evalData = data.Scored.narrow(0, 0, evalRows);
        clock.Restart();
        EpochTrainer.Evaluate(model, evalData, config.EvalBatchSize, 3, Probe, 1, null, default);
        double eval = evalRows / clock.Elapsed.TotalSeconds;
        return this with { TrainImagesPerSecond = train, EvalImagesPerSecond = eval };
    }

    static Tensor RandomInputs(long[] shape, InputKind input, Generator generator)
    {
        using var scope = NewDisposeScope();   // owns the temporaries (FinalizerTensorTests)
        using var k = new ScalarScope();
        var uniform = rand(shape, generator: generator);
        var inputs = input switch
        {
            InputKind.Binary => uniform.lt(k[0.3]).to_type(ScalarType.Float32),
            InputKind.Dequantized => uniform.clamp(k[1e-3], k[1 - 1e-3]),
            _ => ImageTransforms.QuantizeTo8Bit(uniform),
        };
        return inputs.MoveToOuterDisposeScope();
    }
}
