using System.Globalization;
using System.Xml.Linq;
using MemScore.Analysis;
using MemScore.Reporting.Figures;
using SkiaSharp;

namespace MemScore.Tests.Reporting.Figures;

/// <summary>Every figure type renders to well-formed SVG and a PNG of the asked size, with round ticks, labels and markers.</summary>
public class ChartTests
{
    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static RenderedChart EveryKind() => new Chart("title", "M (nats)", "examples")
        .Histogram(Histogram.Of([1.0, 2, 2, 3, 3, 3, 4], 4), "#1f77b4", "bars")
        .VerticalMarker(2.5, "0.95 quantile", "#d62728")
        .Line("sparse", [1, 2, 3], [4894.313, 14682.938, 19577.25], "#9467bd")
        .Points("points", [1, 2, 3, 4], [1, 2, 3, double.NaN], "#555555")
        .Band("band", [1, 2, 3], [0, 1, 2], [2, 3, 4], "#2ca02c")
        .Render();

    [Fact]
    public void Every_chart_kind_renders_a_png_of_the_asked_size_with_ink()
    {
        var chart = EveryKind();
        using var bitmap = SKBitmap.Decode(chart.Png);
        Assert.Equal(640, bitmap.Width);
        Assert.Equal(400, bitmap.Height);
        int dark = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
                if (bitmap.GetPixel(x, y).Red < 100) dark++;
        Assert.True(dark > 500, $"only {dark} dark pixels: axes, text and data are missing");
    }

    [Fact]
    public void Svg_has_the_labels_with_units_a_legend_round_ticks_and_markers_on_sparse_series()
    {
        var doc = XDocument.Parse(EveryKind().Svg);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value.Trim()).ToArray();
        Assert.Contains("M (nats)", texts);
        Assert.Contains("examples", texts);
        Assert.Contains("0.95 quantile", texts);   // legend
        Assert.Contains("sparse", texts);
        // Tick labels are round: at most two significant digits (the hand-made charts printed 4894.313 and 14682.938).
        var ticks = texts.Select(t => t.Replace(",", "")).Where(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _)).ToArray();
        Assert.True(ticks.Length >= 6, $"tick labels: {string.Join(" ", texts)}");
        Assert.All(ticks, t => Assert.True(t.Trim('-').TrimStart('0', '.').TrimEnd('0').Replace(".", "").Length <= 2, $"tick {t} is not round"));
        // Markers: the 3-point series draws a marker per point (ellipses in ScottPlot's SVG).
        Assert.True(doc.Descendants(Svg + "ellipse").Count() >= 3, "no markers on the sparse series");
    }

    /// <summary>Skipped where no font file is installed (then PNG figures have no text; SVG figures are unaffected).</summary>
    public sealed class FontFactAttribute : FactAttribute
    {
        public FontFactAttribute()
        {
            if (!ChartFonts.FontFileFound) Skip = "no font file (apt-get install fonts-dejavu-core): PNG figures would have no text";
        }
    }

    [FontFact]
    public void Png_figures_have_text_because_a_font_file_is_registered()
    {
        // Without a registered font the NoDependencies Skia build draws no text at all (ChartFonts).
        Assert.Equal(ChartFonts.Family, ChartFonts.Resolve());
    }

    [Fact]
    public void Figure_table_writes_round_trip_numbers_and_empty_cells_for_nan()
    {
        string csv = new FigureTable("a", "b", "c").Row(0.1, double.NaN, 3).Row(double.PositiveInfinity, 2.5, "x").ToString();
        Assert.Equal("a,b,c\n0.1,,3\ninf,2.5,x\n", csv);
        Assert.Throws<ArgumentException>(() => new FigureTable("a").Row(1, 2));
    }
}
