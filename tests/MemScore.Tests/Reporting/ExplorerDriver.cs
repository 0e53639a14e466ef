using System.Globalization;
using MemScore.Tests.Support;

namespace MemScore.Tests.Reporting;

/// <summary>Drives the report's example explorer in headless Chromium as a person would: clicks and typed filters.</summary>
public sealed class ExplorerDriver(HeadlessChromium.BrowserPage page) : IAsyncDisposable
{
    public HeadlessChromium.BrowserPage Page => page;

    public ValueTask DisposeAsync() => page.DisposeAsync();

    public static async Task<ExplorerDriver> OpenAsync(string indexHtml, TimeSpan timeout, int width = 1400, int height = 1000)
    {
        var page = await HeadlessChromium.BrowserPage.OpenAsync(indexHtml, timeout, width, height);
        if (!await page.EvaluateAsync<bool>("!!window.memscoreExplorer")) throw new InvalidOperationException("the explorer did not start");
        return new ExplorerDriver(page);
    }

    /// <summary>Clicks the M header until it sorts descending; the milliseconds of the last click (sort + redraw), measured in the page.</summary>
    public async Task<double> SortByMDescendingAsync() => await page.EvaluateAsync<double>("""
        (() => {
          const th = document.querySelector('#ex-table th[data-col="m"]');
          let ms = 0;
          for (let k = 0; k < 2 && !th.classList.contains('desc'); k++) { const t = performance.now(); th.click(); ms = performance.now() - t; }
          if (!th.classList.contains('desc')) throw new Error('M did not sort descending');
          return ms;
        })()
        """);

    public async Task<string[]> ColumnAsync(int column) =>
        (await page.EvaluateAsync<string>($"JSON.stringify(Array.from(document.querySelectorAll('#ex-table tbody tr')).map(r => r.children[{column}].textContent))"))
        .Split('"').Where((_, k) => k % 2 == 1).ToArray();

    public async Task FilterLabelAsync(string label) =>
        await page.EvaluateAsync<bool>($"(() => {{ const s = document.getElementById('ex-label'); s.value = '{label}'; s.dispatchEvent(new Event('input')); return true; }})()");

    /// <summary>Sets the text of the input with id <paramref name="id"/> as typing would (an input event).</summary>
    public async Task TypeAsync(string id, string text) =>
        await page.EvaluateAsync<bool>($"(() => {{ const e = document.getElementById('{id}'); e.value = '{text}'; e.dispatchEvent(new Event('input')); return true; }})()");

    /// <summary>Clicks the first row; returns the detail panel's strip-plot points (in, out).</summary>
    public async Task<(int In, int Out)> OpenFirstRowAsync()
    {
        var counts = await page.EvaluateAsync<string>("""
            (() => {
              document.querySelector('#ex-table tbody tr').click();
              const p = document.getElementById('ex-panel');
              return p.querySelectorAll('circle.pt-in').length + ',' + p.querySelectorAll('circle.pt-out').length;
            })()
            """);
        var parts = counts.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (parts[0], parts[1]);
    }

    /// <summary>
    /// Clicks the first row; returns the captions of the detail panel's nearest training images and
    /// nearest generated images, and how many of their sheet images the browser decoded.
    /// </summary>
    public async Task<(string[] Training, string[] Generated, int LoadedSheets)> OpenFirstRowNeighboursAsync()
    {
        var json = await page.EvaluateAsync<string>("""
            (async () => {
              document.querySelector('#ex-table tbody tr').click();
              const p = document.getElementById('ex-panel');
              const captions = sel => Array.from(p.querySelectorAll(sel + ' figcaption')).map(c => c.textContent);
              const urls = Array.from(new Set(Array.from(p.querySelectorAll('.ex-nn .ex-thumb')).map(t => t.style.backgroundImage.slice(5, -2))));
              const loaded = await Promise.all(urls.map(u => new Promise(ok => { const i = new Image(); i.onload = () => ok(i.naturalWidth > 0 ? 1 : 0); i.onerror = () => ok(0); i.src = u; })));
              return JSON.stringify({ t: captions('.ex-nn-train'), g: captions('.ex-nn-sample'), loaded: loaded.reduce((a, b) => a + b, 0) });
            })()
            """);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        string[] Strings(string name) => doc.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
        return (Strings("t"), Strings("g"), doc.RootElement.GetProperty("loaded").GetInt32());
    }

    /// <summary>Screenshot of the explorer (scrolled into view) in the viewport.</summary>
    public async Task<byte[]> ExplorerScreenshotAsync()
    {
        await page.EvaluateAsync<bool>("(() => { document.getElementById('explorer').scrollIntoView(); return true; })()");
        return await page.ScreenshotAsync();
    }
}
