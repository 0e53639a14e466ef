using System.Globalization;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Execution;

/// <summary>
/// The sanity pass that runs before a run or full-run folder is written (the pythae practice,
/// STYLE.md): any registered family is built for the data's input shape and runs its sanity batch on
/// two examples (<see cref="ModelFamily.SanityBatch"/>: by default one training step and one log p(x)),
/// through <see cref="IDensityModel"/> alone. A family that cannot work on
/// these data (a DC-VAE on 28x28 images) is refused at once, naming the family and the shape, instead
/// of at the first task after run.json and plan.json exist. The same pass refuses what cannot fit in
/// memory: a lower bound of what each worker needs (the model's state after one step, i.e. weights and
/// Adam moments, plus one more copy for the gradients; and the importance sampler's
/// [S, eval batch, C, H, W] block of one float per pixel and sample) times the workers, against the
/// memory this process may use.
/// </summary>
internal static class ModelSanityCheck
{
    const int Examples = 2;

    /// <param name="workers">Models trained at once (the memory bound is multiplied by it).</param>
    /// <param name="memoryBytes">Memory the process may use; null = what the runtime reports (cgroup limits included).</param>
    public static void Run(ExperimentConfig config, ModelFamily family, ExperimentData data, int workers, long? memoryBytes = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(data);
        long[] shape = data.ImageShape;
        string input = $"input {string.Join("x", shape)} ({config.Dataset}{(config.PadTo > 0 ? $", pad-to {config.PadTo}" : ", pad-to 0")})";
        double memory = memoryBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        double pixels = shape.Aggregate(1.0, (a, b) => a * b);
        int evalBatch = Math.Min(config.EvalBatchSize, data.Count);   // batches are never larger than the data
        double evaluation = family.ExactLikelihood ? 0 : (double)evalBatch * config.ImportanceSamples * pixels * sizeof(float);
        if (workers * evaluation > memory)
            throw new InvalidConfigurationException(
                $"is-samples = {config.ImportanceSamples} with eval-batch-size = {config.EvalBatchSize}: scoring {input} holds at least " +
                $"{Size(evaluation)} per model (S x {evalBatch} examples x {pixels:F0} floats){Times(workers)}, more than the {Size(memory)} of memory here; " +
                "lower --is-samples or --eval-batch-size");

        cancellation.ThrowIfCancellationRequested();
        // The check's model scores with at most 2 samples: shapes do not depend on S, and S was bounded above.
        var context = config.ModelContextFor(shape, initSeed: 0) with { ImportanceSamples = Math.Min(config.ImportanceSamples, 2) };
        double state;
        try
        {
            using var model = family.Create(context);
            using var noise = new Generator(0);
            using (var scope = NewDisposeScope())
            {
                var batch = ImageTransforms.AsIntensities(data.Scored.narrow(0, 0, Math.Min(Examples, data.Count)));
                family.SanityBatch(model, batch, noise);
            }
            state = model is ICheckpointable checkpointable ? checkpointable.SaveState().Values.Sum(a => (double)a.Data.Length) : 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            string why = e is MemScoreException ? e.Message : $"{e.GetType().Name}: {FirstLine(e.Message)}";
            throw new MemScoreException(ErrorKind.InvalidConfiguration, $"model = {family.Name} does not work on {input}: one training step and one log p(x) " +
                                                    $"of {Examples} examples failed before anything was written: {why}", e);
        }
        double perModel = state * 4 / 3 + evaluation;   // weights + Adam moments, plus gradients; plus the sampler's block
        if (workers * perModel > memory)
            throw new InvalidConfigurationException(
                $"model = {family.Name} (latent-dim = {config.LatentDim}{string.Concat(config.ModelOptions.Keys.Select(key => $", {key} = {config.ModelOptions.TextOf(key)}"))}) " +
                $"on {input} needs at least {Size(perModel)} per model " +
                $"(weights, gradients and Adam moments: {Size(state * 4 / 3)}; importance samples: {Size(evaluation)}){Times(workers)}, " +
                $"more than the {Size(memory)} of memory here; use a smaller model{(workers > 1 ? " or fewer --workers" : "")}");
    }

    static string Times(int workers) => workers > 1 ? $" x {workers} workers" : "";

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    static string Size(double bytes) => bytes >= 1 << 30
        ? (bytes / (1 << 30)).ToString("F1", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (1 << 20)).ToString("F0", CultureInfo.InvariantCulture) + " MiB";
}
