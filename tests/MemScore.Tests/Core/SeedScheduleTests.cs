using System.Text.RegularExpressions;
using MemScore.Core;

namespace MemScore.Tests.Core;

public class SeedScheduleTests
{
    const long Root = 20240611;
    static readonly SeedSchedule Seeds = new(Root);

    /// <summary>
    /// The purpose names and coordinates each seed was derived from before the schedule existed
    /// (string literals at the call sites): a changed name or coordinate order would change every result.
    /// </summary>
    public static TheoryData<string, long, long> Pinned => new()
    {
        { "limit-subset", Seeds.LimitSubset(DataSplit.Training), SeedDeriver.Derive(Root, "limit-subset") },
        { "test-limit-subset", Seeds.LimitSubset(DataSplit.Test), SeedDeriver.Derive(Root, "test-limit-subset") },
        { "evaluation-binarization", Seeds.EvaluationBinarization(DataSplit.Training), SeedDeriver.Derive(Root, "evaluation-binarization") },
        { "test-evaluation-binarization", Seeds.EvaluationBinarization(DataSplit.Test), SeedDeriver.Derive(Root, "test-evaluation-binarization") },
        { "evaluation-dequantization", Seeds.EvaluationDequantization(DataSplit.Training), SeedDeriver.Derive(Root, "evaluation-dequantization") },
        { "test-evaluation-dequantization", Seeds.EvaluationDequantization(DataSplit.Test), SeedDeriver.Derive(Root, "test-evaluation-dequantization") },
        { "fold-permutation", Seeds.FoldPermutation(3), SeedDeriver.Derive(Root, "fold-permutation", 3) },
        { "in-model-choice", Seeds.InModelChoice(17), SeedDeriver.Derive(Root, "in-model-choice", 17) },
        { "full-test-holdout", Seeds.FullRunTestHoldout, SeedDeriver.Derive(Root, "full-test-holdout") },
        { "model-init", Seeds.Task(2, 4).ModelInit, SeedDeriver.Derive(Root, "model-init", 2, 4) },
        { "batch-order", Seeds.Task(2, 4).Epoch(7).BatchOrder, SeedDeriver.Derive(Root, "batch-order", 2, 4, 7) },
        { "train-noise", Seeds.Task(2, 4).Epoch(7).TrainNoise, SeedDeriver.Derive(Root, "train-noise", 2, 4, 7) },
        { "train-augment", Seeds.Task(2, 4).Epoch(7).Augment, SeedDeriver.Derive(Root, "train-augment", 2, 4, 7) },
        { "is-noise", Seeds.Task(2, 4).Evaluation(7), SeedDeriver.Derive(Root, "is-noise", 2, 4, 7) },
        { "full-model-init", Seeds.FullRun.ModelInit, SeedDeriver.Derive(Root, "full-model-init") },
        { "full-batch-order", Seeds.FullRun.Epoch(7).BatchOrder, SeedDeriver.Derive(Root, "full-batch-order", 7) },
        { "full-train-noise", Seeds.FullRun.Epoch(7).TrainNoise, SeedDeriver.Derive(Root, "full-train-noise", 7) },
        { "full-train-augment", Seeds.FullRun.Epoch(7).Augment, SeedDeriver.Derive(Root, "full-train-augment", 7) },
        { "full-train-is-noise", Seeds.FullRun.Evaluation(7), SeedDeriver.Derive(Root, "full-train-is-noise", 7) },
        { "full-train-loss-noise", Seeds.FullRunCurves(7).TrainLoss, SeedDeriver.Derive(Root, "full-train-loss-noise", 7) },
        { "full-test-loss-noise", Seeds.FullRunCurves(7).TestLoss, SeedDeriver.Derive(Root, "full-test-loss-noise", 7) },
        { "full-test-is-noise", Seeds.FullRunCurves(7).TestEvaluation, SeedDeriver.Derive(Root, "full-test-is-noise", 7) },
        { "dp-sampling", Seeds.Task(2, 4).PrivateEpoch(7).Sampling, SeedDeriver.Derive(Root, "dp-sampling", 2, 4, 7) },
        { "dp-noise", Seeds.Task(2, 4).PrivateEpoch(7).Noise, SeedDeriver.Derive(Root, "dp-noise", 2, 4, 7) },
        { "full-dp-sampling", Seeds.FullRun.PrivateEpoch(7).Sampling, SeedDeriver.Derive(Root, "full-dp-sampling", 7) },
        { "full-dp-noise", Seeds.FullRun.PrivateEpoch(7).Noise, SeedDeriver.Derive(Root, "full-dp-noise", 7) },
        { "report-samples", Seeds.ReportSamples, SeedDeriver.Derive(Root, "report-samples") },
        { "report-ct-kmeans", Seeds.ReportCopyingCells, SeedDeriver.Derive(Root, "report-ct-kmeans") },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void Every_seed_keeps_its_purpose_name_and_coordinates(string purpose, long actual, long expected) =>
        Assert.True(expected == actual, $"{purpose}: {actual}, expected {expected}");

    [Fact]
    public void Every_seed_is_distinct()
    {
        var values = Pinned.Select(row => (long)row[1]).ToArray();
        Assert.Equal(values.Length, values.Distinct().Count());
    }

    [Fact]
    public void No_source_file_but_the_schedule_derives_seeds()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        string schedule = Path.Combine(src, "MemScore", "Core", "SeedSchedule.cs");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && f != schedule)
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"SeedDeriver\s*\.\s*Derive\s*\("))
            .Select(f => Path.GetRelativePath(src, f)).ToArray();
        Assert.True(File.Exists(schedule), $"{schedule} not found");
        Assert.True(offenders.Length == 0, $"derive seeds through SeedSchedule, not SeedDeriver.Derive, in: {string.Join(", ", offenders)}");
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "MemScore"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no src/MemScore above {AppContext.BaseDirectory}");
    }
}
