using MemScore.Storage;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>What can be said per example, first: how many are memorized at the FDR, and the most significant.</summary>
internal static class LeadSection
{
    public const int TilesPerGrid = 15;

    public static void Append(ReportPage page, RunContext context, ReportNumbers n)
    {
        var html = page.Html.Append("<div class=\"lead\">");
        if (n.Inference is not { } inference)
        {
            html.Append("<p><b>No per-example test:</b> intervals, p-values and q-values need every model's log p of every example " +
                        "(not available with --in-models or before one repeat is complete).</p></div>");
            return;
        }
        html.Append($"<p class=\"significance\"><b>{Encode(inference.SignificanceSentence(n.Count))}</b></p>")
            .Append($"<p>{Encode(inference.ReliabilitySentence())}</p>");
        var memorized = inference.Memorized();
        if (memorized.Length > 0)
        {
            html.Append($"<p>The {Math.Min(TilesPerGrid, memorized.Length)} most significant (q &le; {inference.Fdr:G2}), with the {F(inference.IntervalLevel * 100, "F1")}% interval for M:</p><div class=\"grid\">");
            foreach (int i in memorized.Take(TilesPerGrid))
                ExampleTiles.Place(page, context, n, i, $"{ExampleTiles.Name(n, i)}<br>M={F(n.M[i], "F1")} [{F(inference.Lower[i], "F1")}, {F(inference.Upper[i], "F1")}]<br>q={F(inference.Q[i], "G2")}");
            html.Append($"</div><p>All {memorized.Length}: <a href=\"memorized.csv\">memorized.csv</a> (the FDR list), or sort the explorer below by q.</p>");
        }
        html.Append("</div>");
    }
}
