using MemScore.Storage;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>The paper's image grids: most, median and least memorized.</summary>
internal static class GridsSection
{
    public static void Append(ReportPage page, RunContext context, ReportNumbers n)
    {
        page.Html.Append("<h2>Most, median and least memorized</h2>");
        int per = LeadSection.TilesPerGrid;
        int medianStart = Math.Max(0, n.Order.Length / 2 - per / 2);
        foreach (var (title, rows) in new[]
                 {
                     ("Highest M", n.Order.Take(per).ToArray()),
                     ("Nearest the median", n.Order.Skip(medianStart).Take(per).ToArray()),
                     ("Lowest M", n.Order.Reverse().Take(per).Reverse().ToArray()),
                 })
        {
            page.Html.Append($"<h3>{title}</h3><div class=\"grid\">");
            foreach (int i in rows)
                ExampleTiles.Place(page, context, n, i, $"{ExampleTiles.Name(n, i)}<br>M={F(n.M[i], "F1")} U={F(n.U[i], "F1")}");
            page.Html.Append("</div>");
        }
    }
}
