using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Models;
using MemScore.Reporting;
using MemScore.Storage;
using MemScore.Tests.Support;
using static MemScore.Tests.Execution.DedupRunTests;
using Fixture = MemScore.Tests.Execution.DedupRunTests;

namespace MemScore.Tests.Execution;

/// <summary>
/// The near-duplicate searches run once per run folder: a deduplicated run's data loads take dedup.csv, the report takes
/// near_duplicates.json (data of <see cref="DedupRunTests"/>: 50 random binary 8x8 images, rows 50..59 exact copies of 0..9).
/// </summary>
public class DedupReuseTests
{
    static readonly string DatasetHash = PreparedHash();

    static string PreparedHash()
    {
        using var dir = new TempDirectory();
        using var data = ExperimentData.Prepare(Config, Datasets, dir["cache"], InputKind.Binary);
        return data.ContentHash;
    }

    static RecordedDedup Recorded(double threshold, string hash, params RemovedDuplicate[] removed) => new("recorded/dedup.csv", hash, threshold, removed);

    [Fact]
    public void A_recorded_result_for_the_same_dataset_and_threshold_replaces_the_search()
    {
        using var dir = new TempDirectory();
        var config = Config with { Dedup = 0.05 };
        // A record the search would not make (it removes all ten copies): only the copy of 0 left out, so what is loaded shows which was used.
        var onlyFirst = Recorded(0.05, DatasetHash, new RemovedDuplicate(50, 0, 0));

        using var reused = TrainingData.Prepare(config, Datasets, dir["cache"], InputKind.Binary, recorded: onlyFirst);
        using var otherThreshold = TrainingData.Prepare(config, Datasets, dir["cache"], InputKind.Binary, recorded: onlyFirst with { Threshold = 0.1 });
        using var otherData = TrainingData.Prepare(config, Datasets, dir["cache"], InputKind.Binary, recorded: onlyFirst with { DatasetHash = "other" });

        Assert.Equal(Enumerable.Range(0, 60).Where(i => i != 50), reused.SourceIndices);
        Assert.Equal([new RemovedDuplicate(50, 0, 0)], reused.Removed);
        Assert.Equal(Enumerable.Range(0, 50), otherThreshold.SourceIndices);   // searched: a stale record is not used
        Assert.Equal(Enumerable.Range(0, 50), otherData.SourceIndices);
    }

    [Theory]
    [InlineData(70, 0, 0.0, "removed_index 70 is not an example of the data")]
    [InlineData(50, 55, 0.0, "kept_index 55 does not come before removed_index 50")]
    [InlineData(50, 0, 0.2, "distance 0.2 of removed_index 50 is not within the threshold 0.05")]
    public void A_record_that_does_not_fit_the_data_is_refused_naming_the_file_and_value(int removed, int kept, double distance, string problem)
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<MemScoreException>(() => TrainingData.Prepare(Config with { Dedup = 0.05 }, Datasets, dir["cache"], InputKind.Binary,
            recorded: Recorded(0.05, DatasetHash, new RemovedDuplicate(removed, kept, distance))));
        Assert.Equal(ErrorKind.RunFolder, error.Kind);
        Assert.StartsWith("recorded/dedup.csv: " + problem, error.Message);
    }

    [Fact]
    public void Every_load_of_a_deduplicated_run_takes_its_dedup_csv()
    {
        using var dir = new TempDirectory();
        new LocalExecutor(Datasets, Fixture.Models).Run(new RunRequest(Config with { Dedup = 0.05 }, dir["run"], dir["cache"]));
        string csv = Path.Combine(dir["run"], DedupFile.Name);
        using (var run = RunContext.Open(dir["run"], Datasets, dir["cache"]))
            Assert.Equal(Enumerable.Range(0, 50), run.Data.SourceIndices);

        // Edited to a list the search would not make: the run's loads follow the file, so they do not search again.
        File.WriteAllLines(csv, File.ReadAllLines(csv).Where(line => !line.StartsWith("59,", StringComparison.Ordinal)));
        using (var edited = RunContext.Open(dir["run"], Datasets, dir["cache"]))
            Assert.Equal(Enumerable.Range(0, 50).Append(59), edited.Data.SourceIndices);

        File.AppendAllText(csv, "58,eight,0\n");
        var error = Assert.Throws<MemScoreException>(() => RunContext.Open(dir["run"], Datasets, dir["cache"]));
        Assert.Contains($"{csv}: line 11: '58,eight,0', expected removed_index,kept_index,distance", error.Message);
    }

    [Fact]
    public void The_report_of_a_deduplicated_run_needs_no_search_at_or_below_its_dedup_threshold()
    {
        using var dir = new TempDirectory();
        new LocalExecutor(Datasets, Fixture.Models).Run(new RunRequest(Config with { Dedup = 0.05 }, dir["run"], dir["cache"]));
        using var run = RunContext.Open(dir["run"], Datasets, dir["cache"], greyLevels: true);
        var options = new ReportOptions(Models: Fixture.Models, Datasets: Datasets, CacheDirectory: dir["cache"], DuplicatesThreshold: 0.05);

        var atDedup = ReportBuilder.Build(run, options).Duplicates!;

        Assert.Empty(atDedup.Set.Groups());
        Assert.Equal(TrainingData.Find(run.Data, 0.05).Removed, atDedup.Set.Removed);   // what a search finds: nothing
        Assert.Contains("there are none by construction (no search was needed)", File.ReadAllText(Path.Combine(dir["run"], "report", "index.html")));
        Assert.False(File.Exists(Path.Combine(dir["run"], NearDuplicatesCache.Name)));
        var loose = ReportBuilder.Build(run, options with { DuplicatesThreshold = 0.4 }).Duplicates!;
        Assert.Equal(TrainingData.Find(run.Data, 0.4).Removed, loose.Set.Removed);
        Assert.NotEmpty(loose.Set.Groups());
    }

    [Fact]
    public void A_full_run_folder_gives_its_dedup_csv_to_the_loads_of_its_data()
    {
        using var dir = new TempDirectory();
        var config = FullRunSplit.WithoutFoldFields(Config with { Dedup = 0.05 });
        new FullRunner(Datasets, Fixture.Models).Run(new FullRunRequest(config, dir["full"], dir["cache"]));
        var folder = new FullRunFolder(dir["full"]);
        string csv = Path.Combine(dir["full"], DedupFile.Name);
        File.WriteAllLines(csv, File.ReadAllLines(csv).Where(line => !line.StartsWith("59,", StringComparison.Ordinal)));

        var recorded = folder.RecordedDedup(config);
        using var split = FullRunSplit.Prepare(config, Datasets, dir["cache"], InputKind.Binary, 0.1, recorded: recorded);

        Assert.Equal((DatasetHash, 0.05, 9), (recorded!.DatasetHash, recorded.Threshold, recorded.Removed.Count));
        Assert.Equal(51, split.Train.Count);   // the edited list, not a new search (which leaves 50)
        Assert.Null(folder.RecordedDedup(config with { Dedup = null }));
        File.WriteAllText(folder.ManifestPath, "{");
        Assert.Null(folder.RecordedDedup(config));   // a damaged full.json is reported by its own readers
    }

    [Fact]
    public void The_report_searches_once_per_threshold_and_gives_the_same_groups_from_its_cache()
    {
        using var dir = new TempDirectory();
        new LocalExecutor(Datasets, Fixture.Models).Run(new RunRequest(Config, dir["run"], dir["cache"]));
        string cache = Path.Combine(dir["run"], NearDuplicatesCache.Name);
        string groupsCsv = Path.Combine(dir["run"], "report", "duplicate_groups.csv");
        var options = new ReportOptions(Models: Fixture.Models, Datasets: Datasets, CacheDirectory: dir["cache"], DuplicatesThreshold: 0.05);
        using var run = RunContext.Open(dir["run"], Datasets, dir["cache"]);
        using var withGreyLevels = RunContext.Open(dir["run"], Datasets, dir["cache"], greyLevels: true);

        var searched = ReportBuilder.Build(run, options).Duplicates!;   // grey levels loaded again for the search
        string searchedCsv = File.ReadAllText(groupsCsv);
        Assert.True(File.Exists(cache));
        var cached = ReportBuilder.Build(run, options).Duplicates!;
        File.Delete(cache);
        var fromOpenedLevels = ReportBuilder.Build(withGreyLevels, options).Duplicates!;   // the CLI's way: levels kept at open

        Assert.Equal(Enumerable.Range(0, 10).Select(k => new[] { k, 50 + k }), searched.Set.Groups());
        Assert.Equal(searched.Set.Removed, cached.Set.Removed);
        Assert.Equal(searched.Set.Groups(), cached.Set.Groups());
        Assert.Equal(searched.Set.Removed, fromOpenedLevels.Set.Removed);
        Assert.Equal(searchedCsv, File.ReadAllText(groupsCsv));

        // Another threshold searches again and replaces the cache; the 0.05 result is not used for it. Random binary images lie
        // ~0.35 apart (RMS after pooling), so at 0.4 many of them join groups.
        var loose = ReportBuilder.Build(run, options with { DuplicatesThreshold = 0.4 }).Duplicates!;
        Assert.Equal(0.4, loose.Set.Threshold);
        Assert.NotEqual(searched.Set.Groups(), loose.Set.Groups());
        Assert.Equal(TrainingData.Find(withGreyLevels.Data, 0.4).Removed, loose.Set.Removed);
        Assert.Null(NearDuplicatesCache.TryRead(cache, new NearDuplicatesKey(DatasetHash, 0.05, run.Data.SourceIndices)));
        Assert.NotNull(NearDuplicatesCache.TryRead(cache, new NearDuplicatesKey(DatasetHash, 0.4, run.Data.SourceIndices)));
    }
}
