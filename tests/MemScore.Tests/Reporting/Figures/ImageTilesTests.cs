using MemScore.Reporting.Figures;
using SkiaSharp;

namespace MemScore.Tests.Reporting.Figures;

/// <summary>Example tiles and thumbnail sheets: sizes, layout and exact pixels (nearest-neighbour enlargement).</summary>
public class ImageTilesTests
{
    static ExamplePixels Grey(int w, int h, Func<int, int, byte> value) =>
        new(Enumerable.Range(0, w * h).Select(p => value(p % w, p / w)).ToArray(), w, h, 1);

    [Fact]
    public void A_tile_is_the_image_enlarged_with_its_exact_grey_levels()
    {
        var pixels = Grey(6, 4, (x, y) => (byte)(x * 40 + y));
        using var bitmap = SKBitmap.Decode(ImageTiles.Png(pixels, scale: 2));
        Assert.Equal(12, bitmap.Width);
        Assert.Equal(8, bitmap.Height);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 12; x++)
            {
                var c = bitmap.GetPixel(x, y);
                Assert.Equal(pixels.Values[y / 2 * 6 + x / 2], c.Red);
                Assert.Equal(c.Red, c.Blue);
            }
    }

    [Fact]
    public void A_sheet_places_tiles_row_by_row_and_keeps_rgb()
    {
        var red = new ExamplePixels(Enumerable.Repeat(new byte[] { 200, 10, 20 }, 4).SelectMany(b => b).ToArray(), 2, 2, 3);
        var tiles = Enumerable.Range(0, 5).Select(k => k == 4 ? red : Grey(2, 2, (_, _) => (byte)(k * 50))).ToArray();
        using var bitmap = SKBitmap.Decode(ImageTiles.Sheet(tiles, columns: 3));
        Assert.Equal(6, bitmap.Width);    // 3 columns of 2 pixels
        Assert.Equal(4, bitmap.Height);   // 2 rows
        Assert.Equal(100, bitmap.GetPixel(4, 1).Red);   // tile 2: first row, third column
        Assert.Equal(150, bitmap.GetPixel(0, 2).Red);   // tile 3: second row, first column
        Assert.Equal(new SKColor(200, 10, 20), bitmap.GetPixel(3, 3));   // tile 4, RGB
    }
}
