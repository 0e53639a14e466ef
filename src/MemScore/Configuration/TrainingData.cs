using MemScore.Analysis;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Configuration;

/// <summary>
/// The training examples of a run: <see cref="ExperimentData.Prepare"/>, then with --dedup the near-duplicates
/// left out (<see cref="NearDuplicates"/> on the grey-level images without their padding), before the folds are drawn.
/// Every reader of a run's data comes through here, so a run, its tasks and its report see the same examples.
/// </summary>
internal static class TrainingData
{
    /// <param name="recorded">The result of an earlier search (a run folder's dedup.csv): used instead of searching when it was made
    /// for this dataset and threshold.</param>
    public static ExperimentData Prepare(ExperimentConfig config, DatasetRegistry datasets, string cacheDirectory, InputKind input, bool download = false,
        bool greyLevels = false, RecordedDedup? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Dedup is not double threshold) return ExperimentData.Prepare(config, datasets, cacheDirectory, input, download, greyLevels);
        using var all = ExperimentData.Prepare(config, datasets, cacheDirectory, input, download, greyLevels: true);
        var found = recorded is not null && recorded.DatasetHash == all.ContentHash && recorded.Threshold == threshold ? recorded.ToSet(all) : Find(all, threshold);
        if (found.Kept.Length < config.Folds)
            throw new InvalidConfigurationException(FormattableString.Invariant(
                $"dedup = {threshold}: leaves {found.Kept.Length} of the {all.Count} examples, fewer than folds = {config.Folds}; use a smaller threshold"));
        var removed = found.Removed.Select(d => new RemovedDuplicate(all.SourceIndices[d.Removed], all.SourceIndices[d.Kept], d.Distance)).ToArray();
        return all.KeepRows(found.Kept, removed, greyLevels || ExperimentData.TrainingRedraws(config, input));
    }

    /// <summary>Near-duplicate rows of prepared data (kept with <see cref="ExperimentData.Levels"/>), on the images as they were before padding.</summary>
    public static NearDuplicateSet Find(ExperimentData data, double threshold)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        var grey = data.GreyRows(Enumerable.Range(0, data.Count).ToArray());
        int pad = data.Padding;
        var own = pad == 0 ? grey : grey.narrow(2, pad, grey.shape[2] - 2 * pad).narrow(3, pad, grey.shape[3] - 2 * pad);
        return NearDuplicates.Find(own, threshold);
    }
}
