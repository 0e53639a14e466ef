using MemScore.Configuration;
using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Data;

/// <summary>
/// The data of one experiment after preprocessing: <see cref="Scored"/> is what every model is
/// evaluated on (one fixed, seeded binarization per example), <see cref="Intensities"/> the padded
/// grey levels for dynamic binarization during training.
/// </summary>
public sealed class ExperimentData : IDisposable
{
    public required string DatasetName { get; init; }
    public required Tensor Scored { get; init; }
    /// <summary>Padded grey levels; kept only for dynamic training binarization (null otherwise, to save memory).</summary>
    public required Tensor? Intensities { get; init; }
    public required int[] Labels { get; init; }
    public required int[] SourceIndices { get; init; }
    public required string ContentHash { get; init; }

    public int Count => (int)Scored.shape[0];
    public long[] ImageShape => Scored.shape[1..];

    /// <summary>
    /// Loads the configured dataset, binarizes the whole source set with one seeded draw (so an
    /// example's draw does not depend on --limit), keeps the seeded subset, and pads.
    /// </summary>
    public static ExperimentData Prepare(ExperimentConfig config, DatasetRegistry registry, string cacheDirectory, bool download = false)
    {
        using var source = registry.Get(config.Dataset).Load(new DatasetRequest(config.DataDir, cacheDirectory, download));
        ConfigValidator.ValidateAgainstData(config, source.Count);
        string contentHash = source.ContentHash();
        int[] keep = config.Limit is int limit
            ? ImageTransforms.SeededSubset(source.Count, limit, SeedDeriver.Derive(config.Seed, "limit-subset"))
            : Enumerable.Range(0, source.Count).ToArray();
        // Intermediates are disposed as soon as they are used: with 60,000 images each copy is ~200 MB.
        Tensor scored;
        using (var binarized = ImageTransforms.Binarize(source.Images, SeedDeriver.Derive(config.Seed, "evaluation-binarization")))
            scored = SubsetAndPad(binarized, keep, source.Count, config.PadTo);
        var raw = config.TrainBinarization == "dynamic" ? SubsetAndPad(source.Images, keep, source.Count, config.PadTo) : null;
        var data = new ExperimentData
        {
            DatasetName = source.Name,
            Scored = scored,
            Intensities = raw,
            Labels = keep.Select(i => source.Labels[i]).ToArray(),
            SourceIndices = keep.Select(i => source.SourceIndices[i]).ToArray(),
            ContentHash = contentHash,
        };
        GC.Collect();   // the IDX bytes and readers of a large data set are garbage now
        return data;
    }

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
        return ImageTransforms.Pad(images, (int)(padTo - h) / 2);
    }

    public void Dispose()
    {
        Scored.Dispose();
        Intensities?.Dispose();
    }
}
