using System.Net;
using System.Text;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <summary>The report being written: its HTML, its folder, and the figures and tiles placed so far.</summary>
public sealed class ReportPage(string directory)
{
    public string Directory { get; } = directory;
    public StringBuilder Html { get; } = new();
    public int Figures { get; private set; }
    public int Tiles { get; set; }

    /// <summary>Writes figures/NAME and places it on the page.</summary>
    public void Figure(string name, string svg, string alt)
    {
        AtomicFile.WriteAllText(Path.Combine(Directory, "figures", name), svg);
        Html.Append($"<img class=\"figure\" src=\"figures/{name}\" alt=\"{WebUtility.HtmlEncode(alt)}\">");
        Figures++;
    }

    public static string Row(string key, string value) =>
        $"<tr><th style=\"text-align:left\">{WebUtility.HtmlEncode(key)}</th><td style=\"text-align:left\">{WebUtility.HtmlEncode(value)}</td></tr>";
}
