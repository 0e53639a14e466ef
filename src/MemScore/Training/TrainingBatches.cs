using MemScore.Configuration;
using MemScore.Data;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// Makes training minibatches from the prepared data: rows of the scored tensor, or fresh
/// binarization / dequantization draws from the 8-bit levels, optionally flipped per image.
/// All randomness comes from the generator the caller seeds per (task, epoch).
/// </summary>
internal sealed class TrainingBatches(ExperimentData data, bool redraw, bool flip)
{
    public static TrainingBatches For(ExperimentData data, Configuration.ExperimentConfig config) =>
        new(data, ExperimentData.TrainingRedraws(config, data.Input), config.Flip);

    /// <summary>True when <see cref="Make"/> draws from the generator (so it needs one).</summary>
    public bool IsRandom => redraw || flip;

    public Tensor Make(Tensor rows, Generator? generator)
    {
        if (IsRandom && generator is null) throw new ArgumentNullException(nameof(generator), "random batches need a generator");
        var batch = redraw ? Redraw(rows, generator!) : Stored(rows);
        if (!flip) return batch;
        using (batch) return ImageTransforms.FlipEachHorizontally(batch, generator!);
    }

    Tensor Stored(Tensor rows)
    {
        var stored = data.Scored.index_select(0, rows);
        if (stored.dtype != TorchSharp.torch.ScalarType.Byte) return stored;
        using (stored) return ImageTransforms.LevelsToIntensities(stored);
    }

    Tensor Redraw(Tensor rows, Generator generator)
    {
        using var levels = data.Levels!.index_select(0, rows);
        return data.Input switch
        {
            InputKind.Binary => ImageTransforms.BinarizeLevels(levels, generator),
            InputKind.Dequantized => ImageTransforms.DequantizeLevels(levels, generator),
            _ => throw new InvalidOperationException($"{data.Input} input has no training redraw"),
        };
    }
}
