using System.Text;
using ScottPlot;
using SkiaSharp;

namespace MemScore.Reporting.Figures;

/// <summary>
/// Several small charts in one figure, in a grid read row by row (ScottPlot's multiplot), with the
/// same axis limits on every panel so that they compare at a glance. Rendered as SVG and PNG like a
/// <see cref="Chart"/>.
/// </summary>
internal static class SmallMultiples
{
    /// <param name="limits">Axis limits every panel shares (x min, x max, y min, y max).</param>
    public static RenderedChart Render(IReadOnlyList<Chart> panels, int columns, int panelWidth, int panelHeight, (double X0, double X1, double Y0, double Y1) limits)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0 || columns < 1) throw new ArgumentException("need at least one panel and one column", nameof(panels));
        int rows = (panels.Count + columns - 1) / columns;
        int width = Math.Min(columns, panels.Count) * panelWidth, height = rows * panelHeight;
        var plots = panels.Select(p => p.Limits(limits.X0, limits.X1, limits.Y0, limits.Y1).Finish()).ToArray();
        var multiplot = new Multiplot(plots[0]) { Layout = new ScottPlot.MultiplotLayouts.Grid(rows, Math.Min(columns, panels.Count)) };
        foreach (var plot in plots.Skip(1)) multiplot.AddPlot(plot);
        byte[] png = multiplot.Render(width, height).GetImageBytes(ImageFormat.Png);
        using var stream = new SKDynamicMemoryWStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            canvas.Clear(SKColors.White);
            multiplot.Render(canvas, new PixelRect(0, width, height, 0));
        }
        using var data = stream.DetachAsData();
        return new RenderedChart(Encoding.UTF8.GetString(data.ToArray()), png);
    }
}
