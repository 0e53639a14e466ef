using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Reporting;
using MemScore.Storage;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Execution;

/// <summary>
/// --dedup and the report's duplicates and early-stopping sections on data with known truth: 50 random binary
/// 8x8 images and 10 exact copies of the first 10 (rows 50..59), scored by a model that memorizes exactly.
/// </summary>
public class DedupRunTests
{
    /// <summary>Random bits (p = 1/2, seeded): after 2x2 pooling two such images lie ~0.35 apart (RMS), the copies 0 apart.</summary>
    internal sealed class PlantedCopiesProvider : IDatasetProvider
    {
        public string Name => "planted-copies";
        public string Description => "test images";
        public ImageDataset Load(DatasetRequest request)
        {
            var rng = new SplitMix64(21);
            var flat = new float[60 * 64];
            for (int k = 0; k < 50 * 64; k++) flat[k] = rng.NextDouble() < 0.5 ? 0f : 1f;
            Array.Copy(flat, 0, flat, 50 * 64, 10 * 64);
            return new ImageDataset(Name, tensor(flat, [60, 1, 8, 8]), Enumerable.Range(0, 60).Select(i => i % 3).ToArray(), Enumerable.Range(0, 60).ToArray());
        }
    }

    internal static readonly DatasetRegistry Datasets = new DatasetRegistry().Add(new PlantedCopiesProvider());
    internal static readonly ModelRegistry Models = new ModelRegistry().Add(new ModelFamily("memorizer", "test", _ => new MemorizingModel()));

    internal static ExperimentConfig Config => new()
    {
        Dataset = "planted-copies", Model = "memorizer", Folds = 3, Repeats = 5, Epochs = 3, EvalEvery = 1, BatchSize = 10,
        EvalBatchSize = 16, PadTo = 0, Threads = 1, Seed = 7,
    };

    [Fact]
    public void Dedup_leaves_out_the_planted_copies_before_the_folds_and_lists_them()
    {
        using var dir = new TempDirectory();
        var outcome = new LocalExecutor(Datasets, Models).Run(new RunRequest(Config with { Dedup = 0.05 }, dir["run"], dir["cache"]));

        Assert.Equal(Enumerable.Range(0, 50), outcome.Scores.SourceIndices);
        string expected = "removed_index,kept_index,distance\n" + string.Concat(Enumerable.Range(0, 10).Select(k => $"{50 + k},{k},0\n"));
        Assert.Equal(expected, File.ReadAllText(Path.Combine(dir["run"], "dedup.csv")));
        // Without copies every example is memorized by exactly 20 nats (float64 log-mean-exp of equal values).
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(20, outcome.Scores.M(i, outcome.Scores.LastEpochColumn), 9));
    }

    [Fact]
    public void Report_finds_the_planted_groups_with_lower_M_and_marks_the_early_stopping_epoch()
    {
        using var dir = new TempDirectory();
        new LocalExecutor(Datasets, Models).Run(new RunRequest(Config, dir["run"], dir["cache"]));
        new FullRunner(Datasets, Models).Run(new FullRunRequest(Config, dir["full"], dir["cache"]));
        using var run = RunContext.Open(dir["run"], Datasets, dir["cache"]);

        Assert.Contains("duplicates-threshold = -1", Assert.Throws<InvalidConfigurationException>(() =>
            ReportBuilder.Build(run, new ReportOptions(Models: Models, Datasets: Datasets, DuplicatesThreshold: -1))).Message);
        Assert.Contains("early-stop-patience = 0", Assert.Throws<InvalidConfigurationException>(() =>
            ReportBuilder.Build(run, new ReportOptions(Models: Models, Datasets: Datasets, EarlyStopPatience: 0))).Message);
        Assert.False(Directory.Exists(Path.Combine(dir["run"], "report")));   // refused before anything is written

        var report = ReportBuilder.Build(run, new ReportOptions(dir["full"], Models, Datasets, dir["cache"], DuplicatesThreshold: 0.05, EarlyStopPatience: 1));

        var d = report.Duplicates!;
        Assert.Equal(Enumerable.Range(0, 10).Select(k => new[] { k, 50 + k }), d.Set.Groups());
        Assert.Equal((20, 40), (d.DuplicatedCount, d.UniqueCount));
        // Unique examples: M = 20 exactly. A copy held out while its twin trains scores -30 out as well as in, so M drops
        // towards 0 unless the pair shared the held-out fold in every repeat (probability 3^-5 per pair).
        Assert.Equal(20, d.MedianUnique, 9);
        Assert.True(d.MedianDuplicated < 5, $"median M of duplicated examples {d.MedianDuplicated}");
        Assert.True(d.Test!.TwoSidedP < 1e-4, $"Mann-Whitney p {d.Test.TwoSidedP}");
        string html = File.ReadAllText(report.IndexPath);
        Assert.Contains("Near-duplicates and memorization", html);
        var csv = File.ReadAllLines(Path.Combine(dir["run"], "report", "duplicate_groups.csv"));
        Assert.Equal(21, csv.Length);
        Assert.StartsWith("0,0,0,,", csv[1]);    // the group's first example has no distance to itself
        Assert.StartsWith("0,50,0,0,", csv[2]);
        // The memorizer's test loss is 50 nats at every epoch: the best is epoch 1 and patience 1 stops after epoch 2.
        Assert.Contains("It stops after epoch 2 of 3 and keeps epoch 1", html);
        Assert.Contains("Quantiles of M at the kept epoch 1 and at the last epoch 3", html);
    }

    [Fact]
    public void Dedup_is_left_out_of_the_config_when_absent_and_hashed_when_given()
    {
        var plain = new ExperimentConfig();
        Assert.DoesNotContain("dedup", plain.ToJson());
        var deduplicated = plain with { Dedup = 0.03 };
        Assert.Contains("\"dedup\": 0.03", deduplicated.ToJson());
        Assert.NotEqual(plain.Hash(), deduplicated.Hash());
        Assert.Equal(deduplicated, ExperimentConfig.FromJson(deduplicated.ToJson(), "test.json"));
        Assert.Equal(0.03, new MemScore.Cli.Commands.FullSettings { Dedup = 0.03 }.ResolveConfig().Dedup);
        Assert.Equal(0.03, new MemScore.Cli.Commands.RunSettings { Dedup = 0.03 }.ResolveConfig().Dedup);
        Assert.Contains("--dedup <THRESHOLD>", CliProcess.Run("run", "--help").StdOut);
        var reportHelp = CliProcess.Run("report", "--help").StdOut;
        Assert.Contains("--duplicates-threshold", reportHelp);
        Assert.Contains("--early-stop-patience", reportHelp);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void An_invalid_threshold_is_refused_naming_the_field(double threshold)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            ConfigValidator.Validate(Config with { Dedup = threshold }, Datasets, Models));
        Assert.Contains("dedup = ", error.Message);
    }

    [Fact]
    public void A_threshold_that_leaves_fewer_examples_than_folds_is_refused()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            TrainingData.Prepare(Config with { Dedup = 1, Folds = 3 }, Datasets, dir["cache"], InputKind.Binary));
        Assert.Contains("dedup = 1: leaves 1 of the 60 examples, fewer than folds = 3", error.Message);
    }
}
