using System.Text;
using System.Text.Json;
using MemScore.Core;
using MemScore.Memorization;

namespace MemScore.Storage;

/// <summary>
/// A task result as an .npz: logp [evaluations, n] float64, epochs, held_out, train_loss, and
/// meta (UTF-8 JSON bytes: repeat, fold, config hash, seconds); with --in-models also evaluated
/// (the rows that hold values; logp is NaN elsewhere). Written atomically. Reading refuses values no
/// run produces (<see cref="ResultValues"/>: |log p(x)| beyond 1e12 nats, non-finite losses, ESS below 1)
/// as a damaged run folder.
/// </summary>
internal static class TaskResultFile
{
    sealed record Meta(int Repeat, int Fold, string ConfigHash, double Seconds);

    public static void Write(string path, TaskResult result)
    {
        int evaluations = result.LogLikelihoods.Length;
        int n = evaluations == 0 ? 0 : result.LogLikelihoods[0].Length;
        var flat = result.LogLikelihoods.SelectMany(v => v).ToArray();
        var meta = JsonSerializer.SerializeToUtf8Bytes(new Meta(result.Task.Repeat, result.Task.Fold, result.ConfigHash, result.Seconds));
        var arrays = new Dictionary<string, NpyArray>
        {
            ["logp"] = NpyArray.FromDoubles(flat, evaluations, n),
            ["epochs"] = NpyArray.FromInt32(result.EvaluationEpochs),
            ["held_out"] = NpyArray.FromInt32(result.HeldOut),
            ["train_loss"] = NpyArray.FromDoubles(result.TrainLoss),
            ["meta"] = NpyArray.FromBytes(meta),
        };
        if (result.EffectiveSampleSizes is { } ess)
            arrays["ess"] = NpyArray.FromDoubles(ess.SelectMany(v => v).ToArray(), evaluations, n);
        EvaluatedRows.AddTo(arrays, result.Evaluated);
        Npz.Write(path, arrays);
    }

    /// <summary>The most bytes a result of <paramref name="evaluations"/> x <paramref name="examples"/> can unpack to (logp and ess, indices, losses, headers).</summary>
    public static long MaxBytes(int examples, int evaluations, int epochs) =>
        2L * evaluations * examples * sizeof(double) + 2L * examples * sizeof(long) + (evaluations + epochs) * sizeof(double) + (1 << 20);

    /// <param name="maxBytes">Refuses a file whose members unpack to more (see <see cref="MaxBytes"/>); 0 = memory-based default.</param>
    public static TaskResult Read(string path, long maxBytes = 0)
    {
        var arrays = Npz.Read(path, maxBytes);
        NpyArray Get(string key) => arrays.TryGetValue(key, out var a) ? a : throw new InvalidInputException(path, $"task result lacks array '{key}'");
        Meta meta;
        try
        {
            meta = JsonSerializer.Deserialize<Meta>(Get("meta").Data) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(path, $"unreadable task metadata: {e.Message}", e);
        }
        var logp = Get("logp");
        if (logp.Shape.Length != 2) throw new InvalidInputException(path, $"'logp' has {logp.Shape.Length} dimensions, expected 2");
        var values = logp.ToDoubles();
        int evaluations = (int)logp.Shape[0], n = (int)logp.Shape[1];
        var rows = Enumerable.Range(0, evaluations).Select(e => values.AsSpan(e * n, n).ToArray()).ToArray();
        var evaluated = EvaluatedRows.ReadAndCheck(path, arrays, values, n, "delete the file to retrain the task");
        var epochs = Array.ConvertAll(Get("epochs").ToInt64(), v => (int)v);
        if (epochs.Length != evaluations) throw new InvalidInputException(path, $"'epochs' has {epochs.Length} entries, 'logp' has {evaluations} rows");
        var heldOut = Array.ConvertAll(Get("held_out").ToInt64(), v => (int)v);
        if (heldOut.Any(i => i < 0 || i >= n)) throw new InvalidInputException(path, $"'held_out' has indices outside 0..{n - 1}");
        double[][]? ess = null;
        if (arrays.TryGetValue("ess", out var essArray))
        {
            if (!essArray.Shape.SequenceEqual(logp.Shape)) throw new InvalidInputException(path, $"'ess' has shape ({string.Join(", ", essArray.Shape)}), 'logp' ({string.Join(", ", logp.Shape)})");
            var essValues = essArray.ToDoubles();
            ess = Enumerable.Range(0, evaluations).Select(e => essValues.AsSpan(e * n, n).ToArray()).ToArray();
        }
        var trainLoss = Get("train_loss").ToDoubles();
        if (ResultValues.Problem(rows, ess, trainLoss, evaluated, n) is { } problem)
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: {problem}; the file is damaged: delete it to retrain the task");
        return new TaskResult(new TaskId(meta.Repeat, meta.Fold), meta.ConfigHash, epochs, rows, heldOut, trainLoss, meta.Seconds, ess, evaluated);
    }
}
