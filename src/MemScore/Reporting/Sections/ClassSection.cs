using System.Text;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Reporting.Figures;
using MemScore.Storage;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>
/// Per-class panels: the distribution of M of every label as small multiples on common bins and
/// axes, and each label's most memorized examples (top_per_class.csv beside them).
/// </summary>
internal static class ClassSection
{
    const int Columns = 5, PanelWidth = 220, PanelHeight = 200;

    public static void Append(ReportPage page, RunContext context, ReportNumbers n)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(n);
        if (n.Classes is not { } classes) return;
        page.Html.Append("<h2>Memorization per class</h2>")
            .Append($"<p>M at epoch {n.Run.EvaluationEpochs[^1]} of each label on the same bins and axes (share of the label's examples; " +
                    $"dashed red line: the overall 0.95 quantile, {F(n.Q95, "F1")} nats), then each label's {ClassPanels.TopPerClass} most memorized examples.</p>");
        Histograms(page, n, classes);
        TopPerClass(page, context, n, classes);
    }

    static void Histograms(ReportPage page, ReportNumbers n, ClassPanels classes)
    {
        var edges = classes.Edges;
        double top = classes.Classes.Max(c => c.Counts.Max() / (double)Math.Max(1, c.Count));
        var panels = classes.Classes.Select(c => new Chart($"label {c.Label} (n = {c.Count})", "M (nats)", "share", PanelWidth, PanelHeight)
            .Histogram(new Histogram(edges, c.Counts), Chart.Palette[0], density: true)
            .VerticalMarker(n.Q95, null, Chart.Palette[1])).ToList();
        var chart = SmallMultiples.Render(panels, Columns, PanelWidth, PanelHeight, (edges[0], edges[^1], 0, top * 1.08));
        var table = new FigureTable(["from", "to", .. classes.Classes.Select(c => $"label_{c.Label}")]);
        for (int b = 0; b + 1 < edges.Length; b++) table.Row([edges[b], edges[b + 1], .. classes.Classes.Select(c => (object)c.Counts[b])]);
        page.Html.Append($"<style>.class-panels .chart img{{width:{Math.Min(Columns, classes.Classes.Length) * PanelWidth}px}}</style><div class=\"class-panels\">");
        page.Figure("m_per_class_histograms", chart, "histogram of M for every label on common bins", table);
        page.Html.Append("</div>");
    }

    static void TopPerClass(ReportPage page, RunContext context, ReportNumbers n, ClassPanels classes)
    {
        var inference = n.Inference;
        var csv = new StringBuilder("label,rank,index,M,M_lo,M_hi,q\n");
        page.Html.Append("<h3>Most memorized per class</h3><p><a href=\"top_per_class.csv\">top_per_class.csv</a></p>");
        foreach (var c in classes.Classes)
        {
            page.Html.Append($"<div class=\"grid\"><figure style=\"width:64px;align-self:center\"><b>label {c.Label}</b></figure>");
            for (int rank = 0; rank < c.Top.Length; rank++)
            {
                int i = c.Top[rank];
                ExampleTiles.Place(page, context, n, i, $"#{n.Scores.SourceIndices[i]}<br>M={F(n.M[i], "F1")}");
                csv.AppendJoin(',', c.Label, rank + 1, n.Scores.SourceIndices[i], R(n.M[i]), R(inference?.Lower[i]), R(inference?.Upper[i]), R(inference?.Q[i])).Append('\n');
            }
            page.Html.Append("</div>");
        }
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "top_per_class.csv"), csv.ToString());
    }

    static string R(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "";
}
