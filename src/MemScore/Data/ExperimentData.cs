using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Data;

/// <summary>
/// The data of one experiment after preprocessing for the model's <see cref="InputKind"/>.
/// <see cref="Scored"/> is what every model is evaluated on: one fixed, seeded draw per example
/// (binarization or dequantization noise), so in- and out-models score the same x_i (METHOD.md
/// defect 4). <see cref="Levels"/> holds the padded 8-bit values when training redraws the noise.
/// </summary>
public sealed class ExperimentData : IDisposable
{
    public required string DatasetName { get; init; }
    public required InputKind Input { get; init; }
    /// <summary>
    /// Binary and 8-bit data are stored as uint8 levels (k, read as k / 255; binary as 0 / 255),
    /// dequantized data as float32: read batches through <see cref="ImageTransforms.AsIntensities"/>
    /// or <see cref="ScoredRows"/>.
    /// </summary>
    public required Tensor Scored { get; init; }
    /// <summary>Padded 8-bit values (uint8) for per-batch redraws in training; null when training uses <see cref="Scored"/>.</summary>
    public required Tensor? Levels { get; init; }
    public required int[] Labels { get; init; }
    public required int[] SourceIndices { get; init; }
    public required string ContentHash { get; init; }

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
    /// Loads the configured dataset, draws the evaluation noise over the whole source set with one
    /// seeded generator (so an example's draw does not depend on --limit), keeps the seeded subset,
    /// and pads.
    /// </summary>
    public static ExperimentData Prepare(ExperimentConfig config, DatasetRegistry registry, string cacheDirectory, InputKind input, bool download = false)
    {
        using var source = registry.Get(config.Dataset).Load(new DatasetRequest(config.DataDir, cacheDirectory, download));
        ConfigValidator.ValidateAgainstData(config, source.Count);
        int[] keep = config.Limit is int limit
            ? ImageTransforms.SeededSubset(source.Count, limit, new SeedSchedule(config.Seed).LimitSubset(DataSplit.Training))
            : Enumerable.Range(0, source.Count).ToArray();
        return FromSource(source, keep, config, input, DataSplit.Training);
    }

    /// <summary>
    /// The dataset's test split prepared like the training data (its own seeded draws; with --limit
    /// cut to at most the same size), or null when the dataset has none.
    /// </summary>
    public static ExperimentData? PrepareTest(ExperimentConfig config, DatasetRegistry registry, string cacheDirectory, InputKind input, bool download = false)
    {
        if (registry.Get(config.Dataset) is not ISplitDatasetProvider provider || !provider.Splits.Contains("test")) return null;
        using var source = provider.LoadSplit(new DatasetRequest(config.DataDir, cacheDirectory, download), "test");
        int[] keep = config.Limit is int limit && limit < source.Count
            ? ImageTransforms.SeededSubset(source.Count, limit, new SeedSchedule(config.Seed).LimitSubset(DataSplit.Test))
            : Enumerable.Range(0, source.Count).ToArray();
        return FromSource(source, keep, config, input, DataSplit.Test);
    }

    static ExperimentData FromSource(ImageDataset source, int[] keep, ExperimentConfig config, InputKind input, DataSplit split)
    {
        string contentHash = source.ContentHash();
        // Intermediates are disposed as soon as they are used: with 60,000 images each copy is ~200 MB.
        Tensor scored;
        using (var drawn = EvaluationDraw(source.Images, input, new SeedSchedule(config.Seed), split))
            scored = SubsetAndPad(drawn, keep, source.Count, config.PadTo);
        Tensor? levels = null;
        if (TrainingRedraws(config, input))
        {
            using var bytes = ImageTransforms.ToLevels(source.Images);
            levels = SubsetAndPad(bytes, keep, source.Count, config.PadTo);
        }
        var data = new ExperimentData
        {
            DatasetName = source.Name,
            Input = input,
            Scored = scored,
            Levels = levels,
            Labels = keep.Select(i => source.Labels[i]).ToArray(),
            SourceIndices = keep.Select(i => source.SourceIndices[i]).ToArray(),
            ContentHash = contentHash,
        };
        GC.Collect();   // the IDX bytes and readers of a large data set are garbage now
        return data;
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

    static Tensor EvaluationDraw(Tensor intensities, InputKind input, SeedSchedule seeds, DataSplit split) => input switch
    {
        InputKind.Binary => ImageTransforms.BinarizeToLevels(intensities, seeds.EvaluationBinarization(split)),
        InputKind.Dequantized => ImageTransforms.Dequantize(intensities, seeds.EvaluationDequantization(split)),
        InputKind.Discrete8Bit => ImageTransforms.ToLevels(intensities),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, null),
    };

    /// <summary>A new contiguous tensor: the kept rows (all when <paramref name="keep"/> covers everything), padded.</summary>
    static Tensor SubsetAndPad(Tensor images, int[] keep, int total, int padTo)
    {
        if (keep.Length == total)
        {
            var padded = Pad(images, padTo);
            return ReferenceEquals(padded, images) ? images.clone() : padded;
        }
        using var index = tensor(keep.Select(i => (long)i).ToArray());
        using var subset = images.index_select(0, index);
        var result = Pad(subset, padTo);
        return ReferenceEquals(result, subset) ? subset.clone() : result;
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
