using System.Xml.Linq;
using MemScore.Analysis;
using MemScore.Reporting.Figures;
using SkiaSharp;

namespace MemScore.Tests.Reporting.Figures;

/// <summary>Small multiples render every panel in one grid, as SVG and PNG.</summary>
public class SmallMultiplesTests
{
    [Fact]
    public void Three_panels_in_two_columns_render_a_two_by_two_grid_with_every_title()
    {
        var histogram = Histogram.Of([1.0, 2, 2, 3, 3, 3, 4], 4);
        var panels = Enumerable.Range(0, 3).Select(k => new Chart($"label {k}", "M (nats)", "share", 200, 150)
            .Histogram(histogram, Chart.Palette[0], density: true).VerticalMarker(2.5, null, Chart.Palette[1])).ToList();
        var chart = SmallMultiples.Render(panels, columns: 2, panelWidth: 200, panelHeight: 150, (0, 5, 0, 0.6));
        using var bitmap = SKBitmap.Decode(chart.Png);
        Assert.Equal(400, bitmap.Width);
        Assert.Equal(300, bitmap.Height);
        var texts = XDocument.Parse(chart.Svg).Descendants(XName.Get("text", "http://www.w3.org/2000/svg")).Select(t => t.Value.Trim()).ToArray();
        Assert.All(new[] { "label 0", "label 1", "label 2" }, title => Assert.Contains(title, texts));
        Assert.Equal(3, texts.Count(t => t == "M (nats)"));
    }

    [Fact]
    public void No_panel_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SmallMultiples.Render([], 2, 200, 150, (0, 1, 0, 1)));
    }
}
