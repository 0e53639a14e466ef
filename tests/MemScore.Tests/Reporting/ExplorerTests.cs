using System.Globalization;
using MemScore.Reporting;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting;

/// <summary>The example explorer in a real browser, loaded from file:// (issue 14 item 5).</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ExplorerTests
{
    static (int Index, int NIn, int NOut) TopOfScoresCsv(string root)
    {
        var rows = File.ReadAllLines(Path.Combine(root, "scores.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (Index: int.Parse(f[0], CultureInfo.InvariantCulture), M: double.Parse(f[4], CultureInfo.InvariantCulture),
                NIn: int.Parse(f[5], CultureInfo.InvariantCulture), NOut: int.Parse(f[6], CultureInfo.InvariantCulture)))
            .ToArray();
        var top = rows.OrderByDescending(r => r.M).ThenBy(r => Array.IndexOf(rows, r)).First();
        return (top.Index, top.NIn, top.NOut);
    }

    [ChromiumFact]
    public async Task Explorer_sorts_filters_and_opens_the_detail_panel_without_errors()
    {
        using var run = new SyntheticRun(examples: 300, planted: 5, gain: 40);
        var outcome = ReportBuilder.Build(run.Context);
        await using var page = await ExplorerDriver.OpenAsync(outcome.IndexPath, TimeSpan.FromSeconds(90));

        await page.SortByMDescendingAsync();
        var top = TopOfScoresCsv(run.Root);
        Assert.Equal(top.Index.ToString(CultureInfo.InvariantCulture), (await page.ColumnAsync(1))[0]);
        // K = 5, L = 3: every example has 12 in-models and 3 out-models, one point each.
        Assert.Equal((top.NIn, top.NOut), await page.OpenFirstRowAsync());
        Assert.Equal((12, 3), (top.NIn, top.NOut));

        await page.FilterLabelAsync("7");
        var labels = await page.ColumnAsync(2);
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.Equal("7", l));

        // A range of M: only the planted examples (M ~ 40) are above 20; a search by index finds one row.
        await page.FilterLabelAsync("");
        await page.TypeAsync("ex-mmin", "20");
        var planted = (await page.ColumnAsync(1)).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order();
        Assert.Equal(run.Planted.Select(row => run.Context.Data.SourceIndices[row]).Order(), planted);
        await page.TypeAsync("ex-mmin", "");
        await page.TypeAsync("ex-search", top.Index.ToString(CultureInfo.InvariantCulture));
        Assert.Contains(top.Index.ToString(CultureInfo.InvariantCulture), await page.ColumnAsync(1));
        // 300 examples in pages of 50.
        await page.TypeAsync("ex-search", "");
        Assert.Equal("page 1 of 6", await page.Page.EvaluateAsync<string>("document.getElementById('ex-page').textContent"));
        Assert.Empty(page.Page.Errors);
    }

    [ChromiumFact]
    public async Task With_a_full_run_clicking_a_row_shows_its_nearest_training_and_generated_images()
    {
        using var run = new SyntheticRun(examples: 300, planted: 5, gain: 40);
        string full = run.Directory["full"];
        var trained = CliProcess.Run("full", "--limit", "300", "--epochs", "1", "--is-samples", "4", "--threads", "2", "--test-fraction", "0.2", "--out", full);
        Assert.True(trained.ExitCode == 0, trained.StdErr);
        var outcome = ReportBuilder.Build(run.Context, new ReportOptions(FullRunDirectory: full));
        var neighbours = outcome.Samples?.Neighbours ?? throw new InvalidOperationException("no neighbour lists in a report with a full run");
        int k = neighbours.K;
        // The full model trains on 240 of the 300 examples: those have lists, the other 60 none.
        Assert.Equal(240, Enumerable.Range(0, 300).Count(i => neighbours.Sample[i * k] >= 0));
        int row = Enumerable.Range(0, 300).First(i => neighbours.Sample[i * k] >= 0);
        string index = run.Context.Data.SourceIndices[row].ToString(CultureInfo.InvariantCulture);

        await using var page = await ExplorerDriver.OpenAsync(outcome.IndexPath, TimeSpan.FromSeconds(90));
        await page.TypeAsync("ex-search", index);   // sorted by index: the exact match is the first row
        Assert.Equal(index, (await page.ColumnAsync(1))[0]);
        var (training, generated, loaded) = await page.OpenFirstRowNeighboursAsync();
        Assert.Equal(k, training.Length);
        Assert.Equal(k, generated.Length);
        Assert.Equal(FormattableString.Invariant($"#{run.Context.Data.SourceIndices[neighbours.TrainingRow[row * k]]} d={neighbours.TrainingDistance[row * k]:F1}"), training[0]);
        Assert.Equal(FormattableString.Invariant($"d={neighbours.SampleDistance[row * k]:F1}"), generated[0]);
        Assert.Equal(2, loaded);   // the run's thumbnail sheet and the generated images' sheet
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(outcome.IndexPath)!, "explorer", "samples_0.png")));
        Assert.Empty(page.Page.Errors);
    }
}
