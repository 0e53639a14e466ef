using System.Globalization;
using System.Net;
using System.Text;

namespace MemScore.Reporting;

/// <summary>A data series of a line chart.</summary>
public sealed record Series(string Name, double[] X, double[] Y, string Color);

/// <summary>Small, dependency-free SVG charts: bars (histograms), lines, vertical markers.</summary>
public sealed class SvgChart(string title, string xLabel, string yLabel, int width = 640, int height = 360)
{
    const int Left = 64, Right = 20, Top = 36, Bottom = 48;
    readonly List<string> _elements = [];
    double _xMin = double.PositiveInfinity, _xMax = double.NegativeInfinity, _yMin = 0, _yMax = double.NegativeInfinity;
    readonly List<Action> _draw = [];
    public int Width => width;
    public int Height => height;

    static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    double Px(double x) => Left + (x - _xMin) / (_xMax - _xMin) * (width - Left - Right);
    double Py(double y) => height - Bottom - (y - _yMin) / (_yMax - _yMin) * (height - Top - Bottom);

    void Extend(IEnumerable<double> xs, IEnumerable<double> ys)
    {
        foreach (double x in xs.Where(double.IsFinite)) { _xMin = Math.Min(_xMin, x); _xMax = Math.Max(_xMax, x); }
        foreach (double y in ys.Where(double.IsFinite)) { _yMin = Math.Min(_yMin, y); _yMax = Math.Max(_yMax, y); }
    }

    public SvgChart Bars(double[] edges, double[] heights, string color)
    {
        Extend(edges, heights);
        _draw.Add(() =>
        {
            for (int i = 0; i < heights.Length; i++)
                _elements.Add($"<rect class=\"bar\" x=\"{F(Px(edges[i]))}\" y=\"{F(Py(heights[i]))}\" width=\"{F(Math.Max(0.5, Px(edges[i + 1]) - Px(edges[i]) - 0.5))}\" height=\"{F(Py(_yMin) - Py(heights[i]))}\" fill=\"{color}\"/>");
        });
        return this;
    }

    public SvgChart Line(Series series)
    {
        Extend(series.X, series.Y);
        _draw.Add(() =>
        {
            var points = series.X.Zip(series.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second))
                .Select(p => $"{F(Px(p.First))},{F(Py(p.Second))}");
            _elements.Add($"<polyline class=\"series\" fill=\"none\" stroke=\"{series.Color}\" stroke-width=\"2\" points=\"{string.Join(" ", points)}\"><title>{WebUtility.HtmlEncode(series.Name)}</title></polyline>");
        });
        return this;
    }

    public SvgChart VerticalMarker(double x, string label, string color)
    {
        Extend([x], []);
        _draw.Add(() =>
        {
            _elements.Add($"<line x1=\"{F(Px(x))}\" x2=\"{F(Px(x))}\" y1=\"{Top}\" y2=\"{height - Bottom}\" stroke=\"{color}\" stroke-dasharray=\"4 3\"/>");
            _elements.Add($"<text x=\"{F(Px(x) + 3)}\" y=\"{Top + 12}\" font-size=\"11\" fill=\"{color}\">{WebUtility.HtmlEncode(label)}</text>");
        });
        return this;
    }

    public string Render(IReadOnlyList<Series>? legend = null)
    {
        if (!double.IsFinite(_xMin)) { _xMin = 0; _xMax = 1; }
        if (!double.IsFinite(_yMax)) _yMax = 1;
        if (_xMax == _xMin) { _xMin -= 0.5; _xMax += 0.5; }
        if (_yMax == _yMin) _yMax = _yMin + 1;
        _yMax += (_yMax - _yMin) * 0.05;
        _elements.Clear();
        foreach (var draw in _draw) draw();
        var svg = new StringBuilder()
            .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">")
            .Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>")
            .Append($"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">{WebUtility.HtmlEncode(title)}</text>");
        for (int t = 0; t <= 4; t++)
        {
            double xv = _xMin + (_xMax - _xMin) * t / 4, yv = _yMin + (_yMax - _yMin) * t / 4;
            svg.Append($"<text x=\"{F(Px(xv))}\" y=\"{height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{F(xv)}</text>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{F(Py(yv) + 4)}\" text-anchor=\"end\" font-size=\"11\">{F(yv)}</text>");
            svg.Append($"<line x1=\"{Left}\" x2=\"{width - Right}\" y1=\"{F(Py(yv))}\" y2=\"{F(Py(yv))}\" stroke=\"#eee\"/>");
        }
        svg.Append(string.Concat(_elements));
        svg.Append($"<line x1=\"{Left}\" x2=\"{width - Right}\" y1=\"{height - Bottom}\" y2=\"{height - Bottom}\" stroke=\"black\"/>");
        svg.Append($"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{height - Bottom}\" stroke=\"black\"/>");
        svg.Append($"<text x=\"{(Left + width - Right) / 2}\" y=\"{height - 10}\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(xLabel)}</text>");
        svg.Append($"<text transform=\"translate(14 {(Top + height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{WebUtility.HtmlEncode(yLabel)}</text>");
        if (legend is not null)
            for (int i = 0; i < legend.Count; i++)
                svg.Append($"<text x=\"{width - Right - 4}\" y=\"{Top + 14 + 14 * i}\" text-anchor=\"end\" font-size=\"11\" fill=\"{legend[i].Color}\">{WebUtility.HtmlEncode(legend[i].Name)}</text>");
        return svg.Append("</svg>").ToString();
    }
}
