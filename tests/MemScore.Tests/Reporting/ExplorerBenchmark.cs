using System.Globalization;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting;

/// <summary>A fact that runs only when bench/report-explorer.sh points it at a report (MEMSCORE_BENCH_REPORT).</summary>
public sealed class ReportBenchFactAttribute : FactAttribute
{
    public ReportBenchFactAttribute()
    {
        if (HeadlessChromium.Executable is null) Skip = "chromium not installed";
        else if (Environment.GetEnvironmentVariable("MEMSCORE_BENCH_REPORT") is null) Skip = "benchmark: set MEMSCORE_BENCH_REPORT=RUN/report/index.html (bench/report-explorer.sh)";
    }
}

/// <summary>Screenshots and timings of an existing report's page and explorer, for bench/ (not part of the test suite).</summary>
public class ExplorerBenchmark
{
    [ReportBenchFact]
    public async Task Screenshots_and_sort_timing_of_a_report()
    {
        string index = Environment.GetEnvironmentVariable("MEMSCORE_BENCH_REPORT")!;
        string output = Environment.GetEnvironmentVariable("MEMSCORE_BENCH_OUT") ?? Path.GetDirectoryName(index)!;
        Directory.CreateDirectory(output);
        var opened = System.Diagnostics.Stopwatch.StartNew();
        await using var page = await ExplorerDriver.OpenAsync(index, TimeSpan.FromSeconds(300), 1400, 1000);
        double loadSeconds = opened.Elapsed.TotalSeconds;
        await File.WriteAllBytesAsync(Path.Combine(output, "page-top.png"), await page.Page.ScreenshotAsync());
        await page.Page.EvaluateAsync<bool>("(() => { document.querySelector('.charts').scrollIntoView(); return true; })()");
        await File.WriteAllBytesAsync(Path.Combine(output, "page-figures.png"), await page.Page.ScreenshotAsync());
        var sorts = new List<double>();
        for (int k = 0; k < 3; k++)
        {
            await page.Page.EvaluateAsync<bool>("(() => { window.memscoreExplorer.sortBy('index', false); return true; })()");
            sorts.Add(await page.SortByMDescendingAsync());
        }
        var (nIn, nOut) = await page.OpenFirstRowAsync();
        await File.WriteAllBytesAsync(Path.Combine(output, "explorer-panel.png"), await page.ExplorerScreenshotAsync());
        if (await page.Page.EvaluateAsync<bool>("!!window.MEMSCORE_EXPLORER.neighbours"))
        {
            // The most memorized example in the full model's training set, with its nearest training and generated images.
            await page.Page.EvaluateAsync<bool>("""
                (() => { const x = window.memscoreExplorer; x.open(x.rows().find(x.hasNeighbours));
                         document.getElementById('ex-panel').scrollIntoView(); return true; })()
                """);
            await File.WriteAllBytesAsync(Path.Combine(output, "explorer-neighbours.png"), await page.Page.ScreenshotAsync());
        }
        if (await page.Page.EvaluateAsync<bool>("!!document.querySelector('.class-panels')"))
        {
            await page.Page.EvaluateAsync<bool>("(() => { document.querySelector('.class-panels').scrollIntoView(); return true; })()");
            await File.WriteAllBytesAsync(Path.Combine(output, "page-classes.png"), await page.Page.ScreenshotAsync());
        }
        string rows = await page.Page.EvaluateAsync<string>("String(window.memscoreExplorer.rows().length)");
        string line = string.Create(CultureInfo.InvariantCulture,
            $"rows {rows}; page load to explorer ready {loadSeconds:F1} s; sort by M descending (click to redraw) {string.Join(", ", sorts.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))} ms; first row's panel: {nIn} in + {nOut} out points; console errors {page.Page.Errors.Count}");
        await File.WriteAllTextAsync(Path.Combine(output, "explorer-timing.txt"), line + "\n");
        Assert.Empty(page.Page.Errors);
        Assert.True(sorts.Max() < 1000, line);
    }
}
