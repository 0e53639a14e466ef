using System.Text.Json;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>Where an interrupted fold ensemble (all K folds of one repeat) stands.</summary>
/// <param name="TrainLoss">[member][epoch] for the completed epochs.</param>
/// <param name="LogLikelihoods">[member][evaluation][example] for the evaluations done so far.</param>
/// <param name="EffectiveSampleSizes">Same shape as <paramref name="LogLikelihoods"/>.</param>
internal sealed record EnsembleCheckpoint(int Repeat, string ConfigHash, int CompletedEpochs, double[][] TrainLoss, double[][][] LogLikelihoods,
    double[][][] EffectiveSampleSizes, IReadOnlyDictionary<string, NpyArray> ModelState)
{
    public int Members => TrainLoss.Length;
}

/// <summary>
/// checkpoints/r{repeat}_ensemble.npz: the ensemble's stacked arrays (<see cref="Models.ModuleCheckpoint"/>) plus
/// epoch, train_loss [E, epochs], logp and ess [E, evaluations, n] and meta. One file for the whole repeat, written
/// atomically, so members never stand at different epochs. Only numeric arrays are read back.
/// </summary>
internal static class EnsembleCheckpointFile
{
    sealed record Meta(int Repeat, int Members, string ConfigHash);
    static readonly string[] Reserved = ["epoch", "train_loss", "logp", "ess", "meta"];

    public static void Write(string path, EnsembleCheckpoint checkpoint, int examples)
    {
        int members = checkpoint.Members, evaluations = checkpoint.LogLikelihoods[0].Length;
        double[] Flat(double[][][] rows) => rows.SelectMany(m => m.SelectMany(r => r)).ToArray();
        var arrays = new Dictionary<string, NpyArray>(checkpoint.ModelState)
        {
            ["epoch"] = NpyArray.FromInt64([checkpoint.CompletedEpochs]),
            ["train_loss"] = NpyArray.FromDoubles(checkpoint.TrainLoss.SelectMany(r => r).ToArray(), members, checkpoint.CompletedEpochs),
            ["logp"] = NpyArray.FromDoubles(Flat(checkpoint.LogLikelihoods), members, evaluations, examples),
            ["ess"] = NpyArray.FromDoubles(Flat(checkpoint.EffectiveSampleSizes), members, evaluations, examples),
            ["meta"] = NpyArray.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new Meta(checkpoint.Repeat, members, checkpoint.ConfigHash))),
        };
        AtomicFile.Write(path, stream => Npz.WriteTo(stream, arrays));
    }

    public static EnsembleCheckpoint Read(string path, int examples)
    {
        var file = CheckpointArrays.Read(path);
        var meta = file.Meta<Meta>();
        int epoch = file.CompletedEpochs();
        var losses = file.Get("train_loss");
        if (!losses.Shape.SequenceEqual(new long[] { meta.Members, epoch }))
            throw new InvalidInputException(path, $"checkpoint says {meta.Members} members at epoch {epoch} but 'train_loss' has shape ({string.Join(", ", losses.Shape)})");
        var lossValues = losses.ToDoubles();
        var trainLoss = Enumerable.Range(0, meta.Members).Select(m => lossValues.AsSpan(m * epoch, epoch).ToArray()).ToArray();
        var (logp, ess) = (file.Get("logp"), file.Get("ess"));
        if (!logp.Shape.SequenceEqual(ess.Shape)) throw new InvalidInputException(path, "'ess' and 'logp' differ in shape");
        return new EnsembleCheckpoint(meta.Repeat, meta.ConfigHash, epoch, trainLoss, Split(path, "logp", logp, meta.Members, examples),
            Split(path, "ess", ess, meta.Members, examples), file.ModelState(Reserved));
    }

    static double[][][] Split(string path, string key, NpyArray array, int members, int examples)
    {
        if (array.Descr != "<f8" || array.Shape.Length != 3 || array.Shape[0] != members || array.Shape[2] != examples)
            throw new InvalidInputException(path, $"'{key}' has dtype {array.Descr} and shape ({string.Join(", ", array.Shape)}), expected <f8 ({members}, k, {examples})");
        int evaluations = (int)array.Shape[1];
        var values = array.ToDoubles();
        return Enumerable.Range(0, members).Select(m => Enumerable.Range(0, evaluations)
            .Select(k => values.AsSpan((m * evaluations + k) * examples, examples).ToArray()).ToArray()).ToArray();
    }
}
