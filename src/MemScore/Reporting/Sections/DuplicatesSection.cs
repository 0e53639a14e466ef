using System.Globalization;
using System.Text;
using MemScore.Analysis;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Storage;
using static MemScore.Reporting.ReportPage;

namespace MemScore.Reporting.Sections;

/// <summary>
/// Near-duplicate groups among the run's examples (<see cref="NearDuplicates"/> on the grey-level images) and M of
/// duplicated against unique examples, with the grid of the largest groups and duplicate_groups.csv.
/// </summary>
internal static class DuplicatesSection
{
    const int GroupsShown = 8, MembersShown = 6;

    /// <param name="set">Near-duplicates among the run's examples (the same rows as the scores).</param>
    public static DuplicateComparison Append(ReportPage page, RunContext context, ReportNumbers n, NearDuplicateSet set)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(n);
        ArgumentNullException.ThrowIfNull(set);
        if (set.Count != n.Count) throw new InvalidOperationException($"near-duplicates of {set.Count} examples for {n.Count} scored examples");
        double threshold = set.Threshold;
        var comparison = DuplicateComparison.Of(set, n.M);
        var groups = comparison.Set.Groups();
        var html = page.Html;
        html.Append("<h2>Near-duplicates and memorization</h2>")
            .Append($"<p>Two examples are near-duplicates when the root-mean-square distance per pixel of their 2x down-sampled grey-level images " +
                    $"(intensities in [0, 1]) is at most {F(threshold, "G4")} (<code>memscore report --duplicates-threshold T</code>); visiting the examples in order, " +
                    "each joins the group of the nearest earlier example that leads a group (the search runs once per threshold and is kept in the run folder's " +
                    $"{NearDuplicatesCache.Name}). ")
            .Append($"{groups.Length} group{(groups.Length == 1 ? "" : "s")} hold {comparison.Set.Removed.Length + groups.Length} of the {n.Count} examples.</p>");
        if (context.Config.Dedup is double dedup)
            html.Append($"<p>This run was deduplicated before its folds were drawn (<code>--dedup {F(dedup, "G4")}</code>): " +
                        $"{context.Data.Removed.Count} examples were left out (dedup.csv); the groups here are among the examples kept" +
                        (threshold <= dedup ? ", and at this threshold there are none by construction (no search was needed)" : "") + ".</p>");
        AppendComparison(html, comparison);
        AppendGrid(page, context, n, groups);
        AtomicFile.WriteAllText(Path.Combine(page.Directory, "duplicate_groups.csv"), GroupsCsv(comparison, n));
        html.Append("<p><a href=\"duplicate_groups.csv\">Every group (CSV)</a></p>");
        return comparison;
    }

    static void AppendComparison(StringBuilder html, DuplicateComparison c)
    {
        html.Append("<table><tr><th></th><th>examples with M</th><th>median M</th></tr>")
            .Append($"<tr><td>in a near-duplicate group</td><td>{c.DuplicatedCount}</td><td>{F(c.MedianDuplicated)}</td></tr>")
            .Append($"<tr><td>unique</td><td>{c.UniqueCount}</td><td>{F(c.MedianUnique)}</td></tr></table>");
        html.Append(c.Test is { } t
            ? $"<p>Mann-Whitney, duplicated against unique: P(duplicated M &gt; unique M) = {F(t.ProbabilityFirstGreater)}, z = {F(t.Z, "F2")}, " +
              $"two-sided p = {F(t.TwoSidedP, "G3")} (normal approximation). A true copy that stays in the training data of its twin's " +
              "out-models teaches them the twin, which lowers its M; merely similar images (near the threshold) need not, and groups " +
              "gathered in one class mix in that class's own level of M.</p>"
            : "<p>No comparison: one of the two sides has no example with M.</p>");
    }

    static void AppendGrid(ReportPage page, RunContext context, ReportNumbers n, int[][] groups)
    {
        if (groups.Length == 0) return;
        page.Html.Append($"<h3>The largest groups ({Math.Min(GroupsShown, groups.Length)} of {groups.Length}; the first image of each row is the group's first example)</h3>");
        foreach (var group in groups.Take(GroupsShown))
        {
            page.Html.Append($"<p>Group of {group.Length}</p><div class=\"grid\">");
            foreach (int row in group.Take(MembersShown))
                ExampleTiles.Place(page, context, n, row, $"{ExampleTiles.Name(n, row)}<br>M={F(n.M[row], "F1")}");
            page.Html.Append("</div>");
        }
    }

    /// <summary>group (0 = largest), source_index, first_source_index (the group's first example), distance to it (RMS; empty for the first), M.</summary>
    public static string GroupsCsv(DuplicateComparison c, ReportNumbers n)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(n);
        static string D(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
        var distance = c.Set.Removed.ToDictionary(d => d.Removed, d => d.Distance);
        var sb = new StringBuilder("group,source_index,first_source_index,distance,m\n");
        var groups = c.Set.Groups();
        for (int g = 0; g < groups.Length; g++)
            foreach (int row in groups[g])
                sb.Append(g).Append(',').Append(n.Scores.SourceIndices[row]).Append(',').Append(n.Scores.SourceIndices[groups[g][0]]).Append(',')
                  .Append(distance.TryGetValue(row, out double d) ? D(d) : "").Append(',').Append(D(n.M[row])).Append('\n');
        return sb.ToString();
    }
}
