using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Configuration;

/// <summary>
/// The training and test examples of a full run: the dataset's own test split when it has one,
/// else a seeded hold-out of the training data. Rebuilt identically by the report.
/// </summary>
internal sealed class FullRunSplit : IDisposable
{
    public required ExperimentData Train { get; init; }
    public required int[] TrainRows { get; init; }
    public required ExperimentData Test { get; init; }
    public required int[] TestRows { get; init; }
    public required string Source { get; init; }
    public string DataHash => ReferenceEquals(Train, Test) ? Train.ContentHash : $"{Train.ContentHash}+{Test.ContentHash}";

    /// <summary>
    /// The config the data of a full run are prepared with: one model on every example, so K does not
    /// apply and is not checked against the number of examples (`full --limit 2` is fine).
    /// </summary>
    public static ExperimentConfig DataConfig(ExperimentConfig config) => config with { Folds = 2 };

    /// <summary>
    /// K and L do not apply to one model trained on all the data: they are fixed at the values the
    /// defaults had before 2026-12 (K = 5, L = 2), so a config file shared with `run` and the newer
    /// run defaults leave a full run's config hash (and its resume) as it was.
    /// </summary>
    public static ExperimentConfig WithoutFoldFields(ExperimentConfig config) => config with { Folds = 5, Repeats = 2 };
    /// <param name="recorded">The full-run folder's dedup.csv (<see cref="TrainingData.Prepare"/>).</param>
    /// <param name="greyLevels">Keep the 8-bit grey levels of both splits (<see cref="ExperimentData.GreyRows"/>), for the sample-based tests.</param>
    public static FullRunSplit Prepare(ExperimentConfig config, DatasetRegistry datasets, string cache, InputKind input, double testFraction, bool download = false,
        bool greyLevels = false, RecordedDedup? recorded = null)
    {
        var data = TrainingData.Prepare(DataConfig(config), datasets, cache, input, download, greyLevels, recorded);
        var test = ExperimentData.PrepareTest(DataConfig(config), datasets, cache, input, download, greyLevels);
        if (test is not null)
            return new FullRunSplit { Train = data, TrainRows = All(data.Count), Test = test, TestRows = All(test.Count), Source = "test split" };
        int count = data.Count;   // read before the data are disposed below
        int testCount = Math.Max(1, (int)Math.Round(count * testFraction));
        if (testCount >= count)
        {
            data.Dispose();
            throw new InvalidConfigurationException(FormattableString.Invariant(
                $"test-fraction = {testFraction}: holds out {testCount} of the {count} examples and leaves none for training (the dataset has no test split); use a smaller --test-fraction"));
        }
        int[] held = ImageTransforms.SeededSubset(data.Count, testCount, new SeedSchedule(config.Seed).FullRunTestHoldout);
        var isTest = new HashSet<int>(held);
        return new FullRunSplit
        {
            Train = data, TrainRows = Enumerable.Range(0, data.Count).Where(i => !isTest.Contains(i)).ToArray(),
            Test = data, TestRows = held, Source = $"seeded hold-out of {testFraction:P0} (the dataset has no test split)",
        };
    }

    static int[] All(int n) => Enumerable.Range(0, n).ToArray();

    public static Tensor Rows(Tensor images, int[] rows)
    {
        using var index = tensor(rows.Select(r => (long)r).ToArray());
        return images.index_select(0, index);
    }

    public void Dispose()
    {
        Train.Dispose();
        if (!ReferenceEquals(Train, Test)) Test.Dispose();
    }
}
