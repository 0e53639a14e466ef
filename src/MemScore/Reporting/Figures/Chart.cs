using MemScore.Analysis;
using ScottPlot;

namespace MemScore.Reporting.Figures;

/// <summary>A drawn figure: the SVG for the page, the PNG for slides and papers.</summary>
internal sealed record RenderedChart(string Svg, byte[] Png);

/// <summary>
/// One report figure on ScottPlot: title, axis labels with units, legend, markers on sparse
/// series, round ticks (ScottPlot's tick generator). The statistics are computed elsewhere; this
/// only draws them.
/// </summary>
internal sealed class Chart
{
    /// <summary>Series with at most this many points get a marker on every point.</summary>
    public const int SparseSeries = 40;
    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#9467bd", "#2ca02c", "#ff7f0e", "#555555"];

    readonly Plot _plot = new();
    bool _legend, _legendBelow;
    Alignment _legendCorner = Alignment.UpperRight;
    public int Width { get; }
    public int Height { get; }

    public Chart(string title, string xLabel, string yLabel, int width = 640, int height = 400)
    {
        Width = width;
        Height = height;
        if (ChartFonts.Resolve() is string family) _plot.Font.Set(family);
        _plot.Title(title, size: 15);
        _plot.XLabel(xLabel, size: 13);
        _plot.YLabel(yLabel, size: 13);
    }

    public static Color ColorOf(string hex) => Color.FromHex(hex);

    /// <summary>Bars over the bins of <paramref name="histogram"/>, touching, from zero.</summary>
    public Chart Histogram(Histogram histogram, string color, string? legend = null, bool density = false)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        double total = Math.Max(1, histogram.Counts.Sum());
        var bars = Enumerable.Range(0, histogram.Counts.Length).Select(b => new Bar
        {
            Position = (histogram.Edges[b] + histogram.Edges[b + 1]) / 2,
            Value = density ? histogram.Counts[b] / total : histogram.Counts[b],
            Size = histogram.Edges[b + 1] - histogram.Edges[b],
            FillColor = ColorOf(color).WithAlpha(density ? 0.55 : 0.85),
            LineWidth = 0,
        }).ToList();
        var plot = _plot.Add.Bars(bars);
        if (legend is not null) { plot.LegendText = legend; _legend = true; }
        _plot.Axes.Margins(bottom: 0);
        return this;
    }

    /// <summary>A dashed vertical line at <paramref name="x"/>, named in the legend (none for a null name: small panels explain it in the caption).</summary>
    public Chart VerticalMarker(double x, string? legend, string color)
    {
        if (!double.IsFinite(x)) return this;
        var line = _plot.Add.VerticalLine(x, 2, ColorOf(color), LinePattern.Dashed);
        if (legend is null) return this;
        line.LegendText = legend;
        _legend = true;
        return this;
    }

    /// <summary>A line; markers on every point when the series is sparse. Non-finite points are dropped.</summary>
    public Chart Line(string legend, double[] x, double[] y, string color, bool dashed = false, bool? markers = null)
    {
        var (xs, ys) = Finite(x, y);
        if (xs.Length == 0) return this;
        var scatter = _plot.Add.Scatter(xs, ys, ColorOf(color));
        scatter.LegendText = legend;
        scatter.LineWidth = 2;
        scatter.MarkerSize = markers ?? xs.Length <= SparseSeries ? 7 : 0;
        if (dashed) scatter.LinePattern = LinePattern.Dashed;
        _legend = true;
        return this;
    }

    /// <summary>Points only (a scatter plot), small and translucent for many points.</summary>
    public Chart Points(string legend, double[] x, double[] y, string color)
    {
        var (xs, ys) = Finite(x, y);
        if (xs.Length == 0) return this;
        var scatter = _plot.Add.ScatterPoints(xs, ys, ColorOf(color).WithAlpha(xs.Length > 2000 ? 0.25 : 0.6));
        scatter.MarkerSize = xs.Length > 2000 ? 3 : 5;
        scatter.LegendText = legend;
        _legend = true;
        return this;
    }

    /// <summary>A shaded band between <paramref name="lower"/> and <paramref name="upper"/> (intervals).</summary>
    public Chart Band(string legend, double[] x, double[] lower, double[] upper, string color)
    {
        var rows = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(x[i]) && double.IsFinite(lower[i]) && double.IsFinite(upper[i])).ToArray();
        if (rows.Length < 2) return this;
        var fill = _plot.Add.FillY(rows.Select(i => x[i]).ToArray(), rows.Select(i => lower[i]).ToArray(), rows.Select(i => upper[i]).ToArray());
        fill.FillColor = ColorOf(color).WithAlpha(0.2);
        fill.LineWidth = 0;
        fill.LegendText = legend;
        _legend = true;
        return this;
    }

    /// <summary>A short text beside each finite point (e.g. the row number of a table of settings).</summary>
    public Chart Labels(double[] x, double[] y, string[] texts)
    {
        for (int i = 0; i < Math.Min(texts.Length, Math.Min(x.Length, y.Length)); i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i])) continue;
            var label = _plot.Add.Text(texts[i], x[i], y[i]);
            label.LabelFontSize = 11;
            label.OffsetX = 5;
            label.OffsetY = -5;
        }
        return this;
    }

    /// <summary>Fixed axis limits (a ROC curve lives on the unit square).</summary>
    public Chart Limits(double xMin, double xMax, double yMin, double yMax)
    {
        _plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        return this;
    }

    /// <summary>Where the legend sits (upper right unless the data live there, as a ROC curve's do).</summary>
    public Chart LegendAt(Alignment corner)
    {
        _legendCorner = corner;
        return this;
    }

    /// <summary>The legend below the plot, outside the data (for charts whose lines fill every corner).</summary>
    public Chart LegendBelow()
    {
        _legendBelow = true;
        return this;
    }

    /// <summary>Ticks only at whole numbers on the x axis (epochs, repeats, labels).</summary>
    public Chart WholeNumbersOnX()
    {
        // Half ScottPlot's default density: at the default, epochs 20-60 got a tick every 2 epochs (23 labels).
        _plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, TickDensity = 0.5 };
        return this;
    }

    public RenderedChart Render()
    {
        Finish();
        string svg = _plot.GetSvgXml(Width, Height);
        byte[] png = _plot.GetImage(Width, Height).GetImageBytes(ImageFormat.Png);
        return new RenderedChart(svg, png);
    }

    /// <summary>The plot with its legend placed, for a figure of several charts (<see cref="SmallMultiples"/>).</summary>
    internal Plot Finish()
    {
        if (_legend && _legendBelow) _plot.ShowLegend(Edge.Bottom);
        else if (_legend) _plot.ShowLegend(_legendCorner);
        return _plot;
    }

    static (double[] X, double[] Y) Finite(double[] x, double[] y)
    {
        var rows = Enumerable.Range(0, Math.Min(x.Length, y.Length)).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return (rows.Select(i => x[i]).ToArray(), rows.Select(i => y[i]).ToArray());
    }
}
