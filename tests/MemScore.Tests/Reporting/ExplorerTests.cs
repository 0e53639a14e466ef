using System.Globalization;
using MemScore.Reporting;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting;

/// <summary>The example explorer in a real browser, loaded from file:// (issue 14 item 5).</summary>
[Collection(ProcessGlobalState.Name)]
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
}
