using MemScore.Reporting.Figures;
using MemScore.Storage;

namespace MemScore.Reporting.Sections;

/// <summary>Places example images (2x, PNG) on the page.</summary>
internal static class ExampleTiles
{
    public static void Place(ReportPage page, RunContext context, ReportNumbers numbers, int row, string caption) =>
        page.Tile(numbers.Scores.SourceIndices[row], () => ImageTiles.Png(ImageTiles.Read(context, [row])[0]), caption);

    public static string Name(ReportNumbers numbers, int row) => $"#{numbers.Scores.SourceIndices[row]} y={numbers.Scores.Labels[row]}";
}
