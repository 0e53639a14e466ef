using System.Runtime.InteropServices;
using MemScore.Storage;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Reporting.Figures;

/// <summary>8-bit pixels of one example, row-major with interleaved channels (1 grey or 3 RGB).</summary>
internal sealed record ExamplePixels(byte[] Values, int Width, int Height, int Channels);

/// <summary>Example images as PNG tiles and sprite sheets, drawn and encoded with SkiaSharp.</summary>
internal static class ImageTiles
{
    /// <summary>The scored (binarized or dequantized, padded) images of <paramref name="rows"/> as 8-bit pixels.</summary>
    public static ExamplePixels[] Read(RunContext context, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (rows.Count == 0) return [];
        using var scope = NewDisposeScope();
        return Pixels(context.Data.ScoredRows(rows.ToArray()));
    }

    /// <summary>[N, C, H, W] images with values in [0, 1] (scored images, decoder means, samples) as 8-bit pixels.</summary>
    public static ExamplePixels[] Pixels(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.shape[0] == 0) return [];
        using var k = new Core.ScalarScope();
        // The scope owns every temporary (the mul() result, the permuted view): one left to the finalizer can be
        // freed while a native call still uses it (FinalizerTensorTests, PLATFORM.md).
        using var scope = NewDisposeScope();
        // 8-bit levels in torch: round(v * 255) clamped to [0, 255], channels interleaved ([N, H, W, C]).
        var levels = images.mul(k[255f]).round_().clamp_(k[0f], k[255f]).to(ScalarType.Byte);
        var image = levels.permute(0, 2, 3, 1).contiguous();
        int n = (int)image.shape[0], h = (int)image.shape[1], w = (int)image.shape[2], channels = (int)image.shape[3];
        if (channels != 1 && channels != 3) throw new InvalidOperationException($"cannot draw images with {channels} channels");
        var values = image.data<byte>().ToArray();
        int size = h * w * channels;
        return Enumerable.Range(0, n).Select(r => new ExamplePixels(values.AsSpan(r * size, size).ToArray(), w, h, channels)).ToArray();
    }

    /// <summary>One example enlarged <paramref name="scale"/> times (nearest neighbour: pixels stay sharp), as PNG.</summary>
    public static byte[] Png(ExamplePixels pixels, int scale = 2) => Sheet([pixels], columns: 1, scale);

    /// <summary>
    /// Tiles of equal size in a grid of <paramref name="columns"/>, row by row, each enlarged
    /// <paramref name="scale"/> times (nearest neighbour), on white, as one PNG (the explorer's thumbnails:
    /// one file per page of examples). Grey when every tile is grey, else RGB. The pixels are placed
    /// in one buffer and SkiaSharp only encodes it: drawing 60,000 tiles one by one took ~30 s.
    /// </summary>
    public static byte[] Sheet(IReadOnlyList<ExamplePixels> tiles, int columns, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0 || columns < 1 || scale < 1) throw new ArgumentException("need at least one tile, one column and scale >= 1");
        int w = tiles[0].Width, h = tiles[0].Height;
        if (tiles.Any(t => t.Width != w || t.Height != h)) throw new ArgumentException("tiles of a sheet must have one size", nameof(tiles));
        int channels = tiles.Any(t => t.Channels == 3) ? 4 : 1;   // RGBA or grey
        int width = Math.Min(columns, tiles.Count) * w * scale, height = (tiles.Count + columns - 1) / columns * h * scale;
        var buffer = new byte[width * height * channels];
        Array.Fill(buffer, (byte)255);
        for (int t = 0; t < tiles.Count; t++)
            Place(tiles[t], buffer, width, channels, t % columns * w * scale, t / columns * h * scale, scale);
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), width * channels);
            // Encode(Png, 100) asks zlib for its strongest level: ~20x slower for ~10% smaller sheets.
            using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 4));
            return data.ToArray();
        }
        finally { handle.Free(); }
    }

    static void Place(ExamplePixels tile, byte[] buffer, int width, int channels, int left, int top, int scale)
    {
        if (scale == 1 && channels == 1)
        {
            for (int y = 0; y < tile.Height; y++)
                tile.Values.AsSpan(y * tile.Width, tile.Width).CopyTo(buffer.AsSpan((top + y) * width + left));
            return;
        }
        for (int y = 0; y < tile.Height * scale; y++)
            for (int x = 0; x < tile.Width * scale; x++)
            {
                int source = (y / scale * tile.Width + x / scale) * tile.Channels, target = ((top + y) * width + left + x) * channels;
                if (channels == 1) buffer[target] = tile.Values[source];
                else
                    for (int c = 0; c < 3; c++) buffer[target + c] = tile.Values[source + (tile.Channels == 3 ? c : 0)];
            }
    }
}
