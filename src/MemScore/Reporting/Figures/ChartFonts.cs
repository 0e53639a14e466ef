namespace MemScore.Reporting.Figures;

/// <summary>
/// The typeface of the PNG figures. Platform trap: the SkiaSharp native build we ship
/// (NativeAssets.Linux.NoDependencies) has no fontconfig, so ScottPlot finds no system font by name
/// and draws PNGs with no text at all. A regular and a bold face (titles and axis labels are bold)
/// are registered from font files at known paths; SVG figures name the family and the browser resolves it.
/// </summary>
internal static class ChartFonts
{
    public const string Family = "MemScore Sans";

    static readonly (string Regular, string Bold)[] Candidates =
    [
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
        ("/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf", "/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf"),
        ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
        (@"C:\Windows\Fonts\arial.ttf", @"C:\Windows\Fonts\arialbd.ttf"),
    ];

    static readonly Lazy<string?> Registered = new(Register);

    /// <summary>Whether any known font file is on this machine (Debian: fonts-dejavu-core, which chromium's fontconfig pulls in).</summary>
    public static bool FontFileFound => Candidates.Any(c => File.Exists(c.Regular));

    /// <summary>The family to draw with: ours when a font file was found, else null (ScottPlot's default).</summary>
    public static string? Resolve() => Registered.Value;

    static string? Register()
    {
        foreach (var (regular, bold) in Candidates.Where(c => File.Exists(c.Regular)))
        {
            ScottPlot.Fonts.AddFontFile(Family, regular, bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(Family, File.Exists(bold) ? bold : regular, bold: true, italic: false);
            return Family;
        }
        return null;
    }
}
