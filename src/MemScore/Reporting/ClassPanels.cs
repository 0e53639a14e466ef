using MemScore.Analysis;

namespace MemScore.Reporting;

/// <summary>One label's panel: its histogram of M on the common bins and its most memorized rows.</summary>
/// <param name="Counts">Examples of this label with finite M per bin of <see cref="ClassPanels.Edges"/>.</param>
/// <param name="Top">Rows of this label by M, highest first (ties by row), at most <see cref="ClassPanels.TopPerClass"/>.</param>
internal sealed record ClassPanel(int Label, int[] Counts, int[] Top)
{
    public int Count => Counts.Sum();
}

/// <summary>
/// Per-class panels in the paper's style: the distribution of M of every label on one set of bins
/// (small multiples, comparable at a glance) and the most memorized examples of each label. M is at
/// the last evaluation epoch; examples without a finite M are left out.
/// </summary>
internal sealed record ClassPanels(double[] Edges, ClassPanel[] Classes)
{
    /// <summary>More labels than this (an unlabelled or many-class data set) give no panels: they would not be readable.</summary>
    public const int MaxClasses = 20;
    public const int TopPerClass = 8, Bins = 30;

    /// <param name="order">Rows by M, highest first (<see cref="ReportNumbers.Order"/>).</param>
    /// <returns>Null with fewer than 2 or more than <see cref="MaxClasses"/> labels, or no finite M.</returns>
    public static ClassPanels? Compute(int[] labels, double[] m, int[] order)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(order);
        var finite = Enumerable.Range(0, m.Length).Where(i => double.IsFinite(m[i])).ToArray();
        var distinct = finite.Select(i => labels[i]).Distinct().Order().ToArray();
        if (distinct.Length < 2 || distinct.Length > MaxClasses) return null;
        var edges = Histogram.Of(finite.Select(i => m[i]).ToArray(), Bins).Edges;
        var panels = distinct.Select(label =>
        {
            var counts = new int[Bins];
            foreach (int i in finite.Where(i => labels[i] == label)) counts[Bin(edges, m[i])]++;
            var top = order.Where(i => labels[i] == label && double.IsFinite(m[i])).Take(TopPerClass).ToArray();
            return new ClassPanel(label, counts, top);
        }).ToArray();
        return new ClassPanels(edges, panels);
    }

    /// <summary>The bin of <paramref name="value"/> among equal-width <paramref name="edges"/> (the last bin includes the maximum), as <see cref="Histogram.Of"/>.</summary>
    static int Bin(double[] edges, double value)
    {
        int bins = edges.Length - 1;
        return Math.Clamp((int)((value - edges[0]) / (edges[^1] - edges[0]) * bins), 0, bins - 1);
    }
}
