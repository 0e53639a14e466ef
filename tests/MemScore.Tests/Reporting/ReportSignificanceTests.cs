using MemScore.Configuration;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Reporting;
using MemScore.Storage;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Reporting;

/// <summary>The report and the scores when examples really are memorized (a model that memorizes exactly).</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ReportSignificanceTests
{
    /// <summary>60 distinct binary 4x4 images: image i holds the bits of i + 1.</summary>
    sealed class DistinctImagesProvider : IDatasetProvider
    {
        public string Name => "distinct-images";
        public string Description => "test images";
        public ImageDataset Load(DatasetRequest request)
        {
            var flat = Enumerable.Range(0, 60).SelectMany(i => Enumerable.Range(0, 16).Select(b => (float)(((i + 1) >> b) & 1))).ToArray();
            return new ImageDataset(Name, tensor(flat, [60, 1, 4, 4]), Enumerable.Range(0, 60).Select(i => i % 3).ToArray(), Enumerable.Range(0, 60).ToArray());
        }
    }

    [Fact]
    public void Memorized_examples_are_declared_and_lead_the_report_with_their_grid()
    {
        var datasets = new DatasetRegistry().Add(new DistinctImagesProvider());
        var models = new ModelRegistry().Add(new ModelFamily("memorizer", "test", _ => new MemorizingModel()));
        var config = new ExperimentConfig
        {
            Dataset = "distinct-images", Model = "memorizer", Folds = 3, Repeats = 5, Epochs = 1, EvalEvery = 1, BatchSize = 10,
            EvalBatchSize = 16, PadTo = 0, Threads = 1, Seed = 7,
        };
        using var dir = new TempDirectory();
        var outcome = new LocalExecutor(datasets, models).Run(new RunRequest(config, dir["run"], dir["cache"]));
        var inference = outcome.Scores.Inference!;
        // 3^5 = 243 relabellings, enumerated; every one moves a trained-on value out: p = 1/243 for all 60.
        Assert.True(inference.ExactPermutations);
        Assert.All(inference.P, p => Assert.Equal(1 / 243.0, p, 12));
        Assert.Equal(60, inference.Discoveries);
        Assert.All(Enumerable.Range(0, 60), i => Assert.InRange(20.0, inference.Lower[i], inference.Upper[i]));
        Assert.Equal(20, outcome.Scores.M(0, 0), 9);
        Assert.All(inference.NullBias, b => Assert.True(Math.Abs(b) < 1e-9, $"{b}"));   // no spread: no count-asymmetry bias

        using var run = RunContext.Open(dir["run"], datasets, dir["cache"]);
        var report = ReportBuilder.Build(run, new ReportOptions(Models: models, Datasets: datasets, CacheDirectory: dir["cache"]));
        // The grid of the most significant leads, the three usual grids, 8 per label of 3 per class, then the largest near-duplicate groups (4x4 bit patterns pool alike).
        Assert.Equal(45 + 15 + 3 * 8 + report.Duplicates!.Set.Groups().Take(8).Sum(g => Math.Min(6, g.Length)), report.Tiles);
        string html = File.ReadAllText(report.IndexPath);
        int lead = html.IndexOf("class=\"lead\"", StringComparison.Ordinal);
        Assert.Contains("60 of 60 examples memorized at FDR 10%", html[lead..html.IndexOf("<h2>", StringComparison.Ordinal)]);
        Assert.Equal(15, System.Text.RegularExpressions.Regex.Matches(html[lead..html.IndexOf("<h2>", StringComparison.Ordinal)], "class=\"tile\"").Count);
    }
}
