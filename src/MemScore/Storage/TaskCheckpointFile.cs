using System.Text.Json;
using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>Where an interrupted task stands: completed epochs, losses and evaluations so far, model state.</summary>
internal sealed record TaskCheckpoint(TaskId Task, string ConfigHash, int CompletedEpochs, double[] TrainLoss, double[][] LogLikelihoods,
    IReadOnlyDictionary<string, NpyArray> ModelState, double[][]? EffectiveSampleSizes = null, int[]? Evaluated = null);

/// <summary>
/// checkpoints/r{repeat}_f{fold}.npz: the model's arrays plus epoch, train_loss, logp and meta
/// (and evaluated, with --in-models).
/// Written atomically; only numeric arrays are read back (no object deserialization).
/// </summary>
internal static class TaskCheckpointFile
{
    sealed record Meta(int Repeat, int Fold, string ConfigHash);
    static readonly string[] Reserved = ["epoch", "train_loss", "logp", "meta", "ess", EvaluatedRows.Key];

    public static void Write(string path, TaskCheckpoint checkpoint, int examples)
    {
        var arrays = new Dictionary<string, NpyArray>(checkpoint.ModelState)
        {
            ["epoch"] = NpyArray.FromInt64([checkpoint.CompletedEpochs]),
            ["train_loss"] = NpyArray.FromDoubles(checkpoint.TrainLoss),
            ["logp"] = NpyArray.FromDoubles(checkpoint.LogLikelihoods.SelectMany(r => r).ToArray(), checkpoint.LogLikelihoods.Length, examples),
            ["meta"] = NpyArray.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new Meta(checkpoint.Task.Repeat, checkpoint.Task.Fold, checkpoint.ConfigHash))),
        };
        if (checkpoint.EffectiveSampleSizes is { } ess)
            arrays["ess"] = NpyArray.FromDoubles(ess.SelectMany(r => r).ToArray(), ess.Length, examples);
        EvaluatedRows.AddTo(arrays, checkpoint.Evaluated);
        AtomicFile.Write(path, stream => Npz.WriteTo(stream, arrays));
    }

    public static TaskCheckpoint Read(string path, int examples)
    {
        var file = CheckpointArrays.Read(path);
        var arrays = file.All;
        var meta = file.Meta<Meta>();
        int epoch = file.CompletedEpochs();
        var losses = file.Get("train_loss").ToDoubles();
        if (losses.Length != epoch) throw new InvalidInputException(path, $"checkpoint says epoch {epoch} but holds {losses.Length} losses");
        var logp = file.Get("logp");
        if (logp.Shape.Length != 2 || logp.Shape[1] != examples)
            throw new InvalidInputException(path, $"'logp' has shape ({string.Join(", ", logp.Shape)}), expected (k, {examples})");
        var values = logp.ToDoubles();
        var rows = Enumerable.Range(0, (int)logp.Shape[0]).Select(e => values.AsSpan(e * examples, examples).ToArray()).ToArray();
        var evaluated = EvaluatedRows.ReadAndCheck(path, arrays, values, examples, "delete the checkpoint to retrain the task");
        var state = file.ModelState(Reserved);
        double[][]? essRows = null;
        if (arrays.TryGetValue("ess", out var ess))
        {
            if (!ess.Shape.SequenceEqual(logp.Shape)) throw new InvalidInputException(path, "'ess' and 'logp' differ in shape");
            var essValues = ess.ToDoubles();
            essRows = Enumerable.Range(0, rows.Length).Select(e => essValues.AsSpan(e * examples, examples).ToArray()).ToArray();
        }
        return new TaskCheckpoint(new TaskId(meta.Repeat, meta.Fold), meta.ConfigHash, epoch, losses, rows, state, essRows, evaluated);
    }
}
