using System.Globalization;
using System.Net;
using System.Text;
using MemScore.Core;
using MemScore.Reporting.Figures;

namespace MemScore.Reporting;

/// <summary>The report being written: its HTML, its folder, and the figures and tiles placed so far.</summary>
internal sealed class ReportPage(string directory)
{
    const string Style =
        "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1180px;margin:auto;padding:1em;color:#222;line-height:1.4}" +
        "h1{margin-bottom:.2em}h2{border-bottom:2px solid #1f77b4;padding-bottom:.15em;margin-top:1.6em}" +
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f6fa}" +
        ".grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;text-align:center;font-size:11px}" +
        ".charts{display:flex;flex-wrap:wrap;gap:12px}.chart{border:1px solid #e3e3e3;padding:4px;background:#fff}.chart img{width:560px;height:auto;display:block}" +
        ".chart figcaption a{color:#1f77b4;margin:0 .4em}.tile{image-rendering:pixelated;border:1px solid #ddd}" +
        ".warn{background:#fff3cd;padding:.6em;border:1px solid #e0b000}.lead{background:#eef5ff;padding:.6em;border:1px solid #4a7ab5}";

    readonly HashSet<string> _tilesWritten = [];
    public string Directory { get; } = directory;
    public StringBuilder Html { get; } = new();
    public int Figures { get; private set; }
    public int Tiles { get; private set; }

    public static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    public void Begin(string title, string extraHead = "") =>
        Html.Append($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{Encode(title)}</title><style>{Style}</style>{extraHead}</head><body><h1>{Encode(title)}</h1>");

    public string End() => Html.Append("</body></html>").ToString();

    /// <summary>
    /// Writes figures/NAME.svg (shown), NAME.png (for slides) and NAME.csv (the numbers drawn), and
    /// places the SVG on the page with links to the other two.
    /// </summary>
    public void Figure(string name, RenderedChart chart, string alt, FigureTable numbers)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(numbers);
        string stem = Path.Combine(Directory, "figures", name);
        AtomicFile.WriteAllText(stem + ".svg", chart.Svg);
        AtomicFile.WriteAllBytes(stem + ".png", chart.Png);
        AtomicFile.WriteAllText(stem + ".csv", numbers.ToString());
        Html.Append($"<figure class=\"chart\"><img class=\"figure\" src=\"figures/{name}.svg\" alt=\"{Encode(alt)}\">")
            .Append($"<figcaption><a href=\"figures/{name}.png\">PNG</a><a href=\"figures/{name}.csv\">numbers (CSV)</a></figcaption></figure>");
        Figures++;
    }

    /// <summary>Writes tiles/tile_INDEX.png once and places it with <paramref name="caption"/> (HTML).</summary>
    public void Tile(int sourceIndex, Func<byte[]> png, string caption)
    {
        string name = $"tile_{sourceIndex}.png";
        if (_tilesWritten.Add(name)) AtomicFile.WriteAllBytes(Path.Combine(Directory, "tiles", name), png());
        Html.Append($"<figure><img class=\"tile\" src=\"tiles/{name}\" width=\"64\" height=\"64\" alt=\"example {sourceIndex}\"><figcaption>{caption}</figcaption></figure>");
        Tiles++;
    }

    public static string Row(string key, string value) =>
        $"<tr><th style=\"text-align:left\">{Encode(key)}</th><td style=\"text-align:left\">{Encode(value)}</td></tr>";
}
