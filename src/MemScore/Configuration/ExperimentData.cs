using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Configuration;

/// <summary>
/// The data of one experiment after preprocessing for the model's <see cref="InputKind"/>.
/// <see cref="Scored"/> is what every model is evaluated on: one fixed, seeded draw per example
/// (binarization or dequantization noise), so in- and out-models score the same x_i (METHOD.md
/// defect 4). <see cref="Levels"/> holds the padded 8-bit values when training redraws the noise.
/// </summary>
/// <remarks>
/// One order for scoring and training: pad the 8-bit image first, then draw the noise over every
/// pixel, padding included. A padded pixel is level 0 like any black pixel, so it is scored and
/// trained as U(0, 1/256) when dequantized and as 0 when binarized: the model is scored on the
/// same kind of input it was trained on, and its density covers every pixel it is asked about.
/// (Results scheme 1 drew the evaluation noise before padding, so scored padded pixels were exactly
/// 0 while training saw U(0, 1/256): a point at the edge of the trained support, whose density the
/// model never learned.) Binarization probabilities are the 8-bit levels k / 255, as in the training
/// redraws (scheme 1 used the raw intensities for scoring; they differ only for resampled images).
/// </remarks>
internal sealed class ExperimentData : IDisposable
{
    public required string DatasetName { get; init; }
    public required InputKind Input { get; init; }
    /// <summary>
    /// Binary and 8-bit data are stored as uint8 levels (k, read as k / 255; binary as 0 / 255),
    /// dequantized data as float32: read batches through <see cref="ImageTransforms.AsIntensities"/>
    /// or <see cref="ScoredRows"/>.
    /// </summary>
    public required Tensor Scored { get; init; }
    /// <summary>
    /// Padded 8-bit values (uint8) for per-batch redraws in training, or when asked for the grey-level
    /// images (<see cref="GreyRows"/>); null otherwise.
    /// </summary>
    public required Tensor? Levels { get; init; }
    public required int[] Labels { get; init; }
    public required int[] SourceIndices { get; init; }
    public required string ContentHash { get; init; }
    /// <summary>Zero rows and columns added on each side by --pad-to (the images' own pixels start there).</summary>
    public int Padding { get; init; }
    /// <summary>Training examples left out as near-duplicates (--dedup), by source index; empty without --dedup.</summary>
    public IReadOnlyList<RemovedDuplicate> Removed { get; init; } = [];

    public int Count => (int)Scored.shape[0];

    /// <summary>The scored images of <paramref name="rows"/> as float32 intensities (a new tensor).</summary>
    public Tensor ScoredRows(IReadOnlyList<int> rows)
    {
        using var index = tensor(rows.Select(r => (long)r).ToArray());
        var stored = Scored.index_select(0, index);
        var intensities = ImageTransforms.AsIntensities(stored);
        if (!ReferenceEquals(intensities, stored)) stored.Dispose();   // AsIntensities returns float input itself
        return intensities;
    }
    public long[] ImageShape => Scored.shape[1..];

    /// <summary>
    /// The padded images of <paramref name="rows"/> as 8-bit grey levels k / 255, float32, before any
    /// binarization or dequantization draw (a new tensor). Needs <see cref="Levels"/>: prepare with greyLevels.
    /// </summary>
    public Tensor GreyRows(IReadOnlyList<int> rows)
    {
        if (Levels is null) throw new InvalidOperationException("no grey levels kept: prepare the data with greyLevels: true");
        using var index = tensor(rows.Select(r => (long)r).ToArray());
        using var levels = Levels.index_select(0, index);
        return ImageTransforms.LevelsToIntensities(levels);
    }

    /// <summary>
    /// Loads the configured dataset, pads it, draws the evaluation noise over the whole padded source
    /// set with one seeded generator (so an example's draw does not depend on --limit), and keeps the
    /// seeded subset. <paramref name="greyLevels"/> keeps <see cref="Levels"/> even when training does
    /// not redraw (for <see cref="GreyRows"/>).
    /// </summary>
    public static ExperimentData Prepare(ExperimentConfig config, DatasetRegistry registry, string cacheDirectory, InputKind input, bool download = false,
        bool greyLevels = false)
    {
        using var source = registry.Get(config.Dataset).Load(new DatasetRequest(config.DataDir, cacheDirectory, download));
        ConfigValidator.ValidateAgainstData(config, source.Count);
        int[] keep = config.Limit is int limit
            ? ImageTransforms.SeededSubset(source.Count, limit, new SeedSchedule(config.Seed).LimitSubset(DataSplit.Training))
            : Enumerable.Range(0, source.Count).ToArray();
        return FromSource(source, keep, config, input, DataSplit.Training, greyLevels);
    }

    /// <summary>
    /// The dataset's test split prepared like the training data (its own seeded draws; with --limit
    /// cut to at most the same size), or null when the dataset has none.
    /// </summary>
    public static ExperimentData? PrepareTest(ExperimentConfig config, DatasetRegistry registry, string cacheDirectory, InputKind input, bool download = false,
        bool greyLevels = false)
    {
        if (registry.Get(config.Dataset) is not ISplitDatasetProvider provider || !provider.Splits.Contains("test")) return null;
        using var source = provider.LoadSplit(new DatasetRequest(config.DataDir, cacheDirectory, download), "test");
        int[] keep = config.Limit is int limit && limit < source.Count
            ? ImageTransforms.SeededSubset(source.Count, limit, new SeedSchedule(config.Seed).LimitSubset(DataSplit.Test))
            : Enumerable.Range(0, source.Count).ToArray();
        return FromSource(source, keep, config, input, DataSplit.Test, greyLevels);
    }

    static ExperimentData FromSource(ImageDataset source, int[] keep, ExperimentConfig config, InputKind input, DataSplit split, bool greyLevels)
    {
        // The hash covers the whole source set and only reads it: it runs beside the preparation, on the core that is idle here.
        var hashing = Task.Run(source.ContentHash);
        Tensor scored;
        Tensor? levels = null;
        try
        {
            // Only the kept rows are converted, padded and drawn; the noise of row i is still the one a draw over the whole padded
            // source set gives it (UniformRows), so an example's draw does not depend on --limit.
            using var subset = keep.Length == source.Count ? null : SelectRows(source.Images, keep);
            using var bytes = ImageTransforms.ToLevels(subset ?? source.Images);
            using var padded = PadLevels(bytes, config.PadTo);
            long[] sourceShape = [source.Count, .. padded.shape[1..]];
            scored = EvaluationDraw(padded, input, new SeedSchedule(config.Seed), split, sourceShape, keep);
            if (greyLevels || TrainingRedraws(config, input)) levels = padded.clone();
        }
        finally
        {
            WaitQuietly(hashing);   // never leave the hash reading images the caller is about to dispose; its error surfaces below
        }
        var data = new ExperimentData
        {
            DatasetName = source.Name,
            Input = input,
            Scored = scored,
            Levels = levels,
            Labels = keep.Select(i => source.Labels[i]).ToArray(),
            SourceIndices = keep.Select(i => source.SourceIndices[i]).ToArray(),
            ContentHash = hashing.GetAwaiter().GetResult(),
            Padding = config.PadTo == 0 ? 0 : (config.PadTo - (int)source.Images.shape[2]) / 2,
        };
        GC.Collect();   // the IDX bytes and readers of a large data set are garbage now
        return data;
    }

    /// <summary>
    /// A new data set of <paramref name="rows"/> (ascending) with <paramref name="removed"/> recorded; this one is left as it
    /// is (the caller disposes it). <paramref name="keepLevels"/>: keep <see cref="Levels"/> (when present).
    /// </summary>
    public ExperimentData KeepRows(int[] rows, IReadOnlyList<RemovedDuplicate> removed, bool keepLevels)
    {
        using var index = tensor(rows.Select(r => (long)r).ToArray());
        return new ExperimentData
        {
            DatasetName = DatasetName, Input = Input, ContentHash = ContentHash, Padding = Padding, Removed = removed,
            Scored = Scored.index_select(0, index),
            Levels = keepLevels ? Levels?.index_select(0, index) : null,
            Labels = rows.Select(r => Labels[r]).ToArray(),
            SourceIndices = rows.Select(r => SourceIndices[r]).ToArray(),
        };
    }

    /// <summary>Wraps already prepared images (benchmarks, tests); takes ownership of <paramref name="scored"/>.</summary>
    public static ExperimentData FromScored(Tensor scored, InputKind input = InputKind.Binary, Tensor? levels = null) => new()
    {
        DatasetName = "in-memory",
        Input = input,
        Scored = scored,
        Levels = levels,
        Labels = new int[scored.shape[0]],
        SourceIndices = Enumerable.Range(0, (int)scored.shape[0]).ToArray(),
        ContentHash = "",
    };

    /// <summary>Dequantization noise is always redrawn in training; binarization only with train-binarization = dynamic.</summary>
    public static bool TrainingRedraws(ExperimentConfig config, InputKind input) => input switch
    {
        InputKind.Binary => config.TrainBinarization == "dynamic",
        InputKind.Dequantized => true,
        _ => false,
    };

    /// <summary>
    /// The evaluation draw from the padded 8-bit levels of the kept rows: the same draws as the training redraws, from a fixed
    /// seed, taken over the whole padded source set (<paramref name="sourceShape"/>) and kept at rows <paramref name="keep"/>.
    /// </summary>
    static Tensor EvaluationDraw(Tensor levels, InputKind input, SeedSchedule seeds, DataSplit split, long[] sourceShape, int[] keep)
    {
        switch (input)
        {
            case InputKind.Binary:
            {
                using var generator = new Generator((ulong)seeds.EvaluationBinarization(split));
                return ImageTransforms.BinarizeLevelsToLevels(levels, ImageTransforms.UniformRows(sourceShape, keep, generator));   // stored as 0 / 255
            }
            case InputKind.Dequantized:
            {
                using var generator = new Generator((ulong)seeds.EvaluationDequantization(split));
                return ImageTransforms.DequantizeLevels(levels, ImageTransforms.UniformRows(sourceShape, keep, generator));
            }
            case InputKind.Discrete8Bit:
                return levels.clone();
            default:
                throw new ArgumentOutOfRangeException(nameof(input), input, null);
        }
    }

    static void WaitQuietly(Task task)
    {
        try { task.Wait(); }
        catch (AggregateException) { }
    }

    /// <summary>A new contiguous tensor of rows <paramref name="keep"/>.</summary>
    static Tensor SelectRows(Tensor images, int[] keep)
    {
        using var index = tensor(keep.Select(i => (long)i).ToArray());
        return images.index_select(0, index);
    }

    /// <summary>Zero-padded 8-bit levels (a new tensor; a copy when no padding is needed).</summary>
    static Tensor PadLevels(Tensor levels, int padTo)
    {
        var padded = Pad(levels, padTo);
        return ReferenceEquals(padded, levels) ? levels.clone() : padded;
    }

    static Tensor Pad(Tensor images, int padTo)
    {
        if (padTo == 0) return images;
        long h = images.shape[2], w = images.shape[3];
        if (h != w) throw new InvalidConfigurationException($"pad-to = {padTo}: images are {h}x{w}, padding needs square images (use pad-to 0)");
        if (padTo < h) throw new InvalidConfigurationException($"pad-to = {padTo}: smaller than the images ({h}x{w}); use pad-to 0 or >= {h}");
        if ((padTo - h) % 2 != 0) throw new InvalidConfigurationException($"pad-to = {padTo}: needs an even difference to the image size {h}");
        if (padTo == h) return images;
        return ImageTransforms.Pad(images, (int)(padTo - h) / 2);
    }

    public void Dispose()
    {
        Scored.Dispose();
        Levels?.Dispose();
    }
}

/// <summary>The training example with source index <paramref name="SourceIndex"/> was left out as a near-duplicate of <paramref name="KeptSourceIndex"/>
/// (RMS distance per pixel <paramref name="Distance"/>).</summary>
internal sealed record RemovedDuplicate(int SourceIndex, int KeptSourceIndex, double Distance);
