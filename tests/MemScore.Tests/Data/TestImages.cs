using SkiaSharp;

namespace MemScore.Tests.Data;

/// <summary>Writes small PNG/JPEG fixtures with SkiaSharp (format from the extension; JPEG at quality 100).</summary>
static class TestImages
{
    public static void Write(string path, int width, int height, Func<int, int, SKColor> paint, SKColorType colorType = SKColorType.Rgba8888)
    {
        using var bitmap = new SKBitmap(width, height, colorType, SKAlphaType.Unpremul);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, paint(x, y));
        Save(bitmap, path);
    }

    public static void Solid(string path, int width, int height, SKColor colour)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bitmap.Erase(colour);
        Save(bitmap, path);
    }

    static void Save(SKBitmap bitmap, string path)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() is ".jpg" or ".jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;
        using var data = bitmap.Encode(format, 100) ?? throw new InvalidOperationException($"SkiaSharp could not encode {path}");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data.ToArray());
    }
}
