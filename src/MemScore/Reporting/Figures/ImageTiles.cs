using System.Runtime.InteropServices;
using MemScore.Execution;
using SkiaSharp;

namespace MemScore.Reporting.Figures;

/// <summary>8-bit pixels of one example, row-major with interleaved channels (1 grey or 3 RGB).</summary>
public sealed record ExamplePixels(byte[] Values, int Width, int Height, int Channels);

/// <summary>Example images as PNG tiles and sprite sheets, drawn and encoded with SkiaSharp.</summary>
public static class ImageTiles
{
    /// <summary>The scored (binarized or dequantized, padded) images of <paramref name="rows"/> as 8-bit pixels.</summary>
    public static ExamplePixels[] Read(RunContext context, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (rows.Count == 0) return [];
        using var stored = context.Data.ScoredRows(rows.ToArray());
        using var image = stored.permute(0, 2, 3, 1).contiguous();   // [N, H, W, C]: interleaved channels
        int h = (int)image.shape[1], w = (int)image.shape[2], channels = (int)image.shape[3];
        if (channels != 1 && channels != 3) throw new InvalidOperationException($"cannot draw images with {channels} channels");
        var values = image.data<float>().ToArray();
        int size = h * w * channels;
        return Enumerable.Range(0, rows.Count).Select(k =>
        {
            var bytes = new byte[size];
            for (int j = 0; j < size; j++) bytes[j] = (byte)Math.Clamp(Math.Round(values[k * size + j] * 255), 0, 255);
            return new ExamplePixels(bytes, w, h, channels);
        }).ToArray();
    }

    /// <summary>One example enlarged <paramref name="scale"/> times (nearest neighbour: pixels stay sharp), as PNG.</summary>
    public static byte[] Png(ExamplePixels pixels, int scale = 2) => Sheet([pixels], columns: 1, scale);

    /// <summary>
    /// Tiles of equal size in a grid of <paramref name="columns"/>, row by row, each enlarged
    /// <paramref name="scale"/> times, as one PNG (the explorer's thumbnails: one file per page of examples).
    /// </summary>
    public static byte[] Sheet(IReadOnlyList<ExamplePixels> tiles, int columns, int scale = 1)
    {
        if (tiles.Count == 0 || columns < 1 || scale < 1) throw new ArgumentException("need at least one tile, one column and scale >= 1");
        int w = tiles[0].Width, h = tiles[0].Height;
        int rows = (tiles.Count + columns - 1) / columns;
        using var surface = SKSurface.Create(new SKImageInfo(Math.Min(columns, tiles.Count) * w * scale, rows * h * scale, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var sampling = new SKSamplingOptions(SKFilterMode.Nearest);
        for (int t = 0; t < tiles.Count; t++)
        {
            using var image = ToImage(tiles[t]);
            var target = SKRect.Create(t % columns * w * scale, t / columns * h * scale, w * scale, h * scale);
            canvas.DrawImage(image, target, sampling);
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static SKImage ToImage(ExamplePixels pixels)
    {
        int n = pixels.Width * pixels.Height;
        var rgba = new byte[n * 4];
        for (int p = 0; p < n; p++)
        {
            for (int c = 0; c < 3; c++) rgba[p * 4 + c] = pixels.Values[p * pixels.Channels + (pixels.Channels == 3 ? c : 0)];
            rgba[p * 4 + 3] = 255;
        }
        var info = new SKImageInfo(pixels.Width, pixels.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var view = new SKPixmap(info, handle.AddrOfPinnedObject(), pixels.Width * 4);
            return SKImage.FromPixelCopy(view);
        }
        finally { handle.Free(); }
    }
}
