using System.Globalization;
using MemScore.Configuration;
using MemScore.Reporting.Sweeps;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting.Sweeps;

[Collection(TinySweepCollection.Name)]
public class SweepReportTests(TinySweep sweep)
{
    [ChromiumFact]
    public async Task The_sweep_report_opens_in_chromium_with_the_frontier_chart_and_working_links()
    {
        Assert.True(sweep.First.ExitCode == 0, sweep.First.StdErr);
        string index = sweep["report/index.html"];
        await using var page = await HeadlessChromium.BrowserPage.OpenAsync(index, TimeSpan.FromSeconds(90));
        Assert.True(await page.EvaluateAsync<bool>("(() => { const i = document.querySelector('img[src=\"figures/frontier.svg\"]'); return !!i && i.complete && i.naturalWidth > 0; })()"),
            "the frontier chart is on the page and loaded");
        Assert.Equal(0, await page.EvaluateAsync<int>("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length"));
        Assert.Equal(2, await page.EvaluateAsync<int>("document.querySelectorAll('#points tr').length - 1"));
        string links = await page.EvaluateAsync<string>("Array.from(document.querySelectorAll('#points a')).map(a => a.getAttribute('href')).join('\\n')");
        foreach (string link in links.Split('\n'))
            Assert.True(File.Exists(Path.Combine(sweep["report"], link)), $"{link} exists");
        Assert.Contains("compare/weight-decay-1/index.html", links);
        Assert.Empty(page.Errors);
        foreach (string file in new[] { "frontier.svg", "frontier.png", "frontier.csv" }) Assert.True(File.Exists(sweep[$"report/figures/{file}"]), file);
    }

    [Fact]
    public void The_points_table_holds_the_quantiles_of_scores_csv_and_the_full_runs_held_out_log_p()
    {
        var rows = File.ReadAllLines(sweep["report/points.csv"]);
        Assert.Equal(3, rows.Length);
        var header = rows[0].Split(',');
        var first = rows[1].Split(',');
        string Cell(string column) => first[Array.IndexOf(header, column)];
        var (m, _) = SweepResults.ReadScores(sweep["points/weight-decay-0/run/scores.csv"]);
        // Same numbers, same code path: equal to the last digit of the round-trip format.
        Assert.Equal(MemScore.Analysis.Statistics.Quantile(m, 0.999), double.Parse(Cell("q0.999_M"), CultureInfo.InvariantCulture));
        double heldOut = double.Parse(Cell("heldout_logp_nats"), CultureInfo.InvariantCulture);
        double bitsPerDim = double.Parse(Cell("heldout_bits_per_dim"), CultureInfo.InvariantCulture);
        // 32 x 32 padded binary digits: bits/dim = -log p / (1024 ln 2), to round-off.
        Assert.Equal(-heldOut / (1024 * Math.Log(2)), bitsPerDim, 12);
        Assert.Contains($"{first[1]},", File.ReadAllText(sweep["report/figures/frontier.csv"]));
    }

    static FrontierRow Row(double heldOut, double q999) =>
        new(new SweepPoint("p", []), 100, 0, 0, q999, null, heldOut, 0, 0, 0, 10);

    [Fact]
    public void A_point_is_on_the_frontier_unless_another_is_at_least_as_good_on_both_and_better_on_one()
    {
        FrontierRow[] rows = [Row(-100, 30), Row(-105, 20), Row(-106, 25), Row(-100, 30)];
        Assert.Equal([true, true, false, true], rows.Select((_, i) => SweepPage.OnFrontier(rows, i)));
    }
}
