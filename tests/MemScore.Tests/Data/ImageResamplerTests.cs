using MemScore.Data;

namespace MemScore.Tests.Data;

public class ImageResamplerTests
{
    static byte[] Pattern(int width, int height, Func<int, int, int> value) =>
        Enumerable.Range(0, width * height).Select(i => (byte)(value(i % width, i / width) % 256)).ToArray();

    /// <summary>
    /// Expected bytes from PIL 9.4's Image.resize(BILINEAR) via make_resize_reference.py (beside this file).
    /// Tolerance 1 grey level: PIL sums in 22-bit fixed point, this code in double, so a value within
    /// 2^-22 of a rounding tie may round the other way.
    /// </summary>
    [Theory]
    [InlineData(7, 5, 3, 2, 37, 91, 0, "Y4GBanaA")]
    [InlineData(3, 2, 5, 4, 100, 50, 0, "AChkoMgNNXGt1SZOisbuMlqW0vo=")]
    [InlineData(148, 148, 32, 32, 0, 3, 1, "DzSFdoR8cXCRlW+Hd01Se4N0lI5ucn19gnouDBVKmFwbQJGCjod9fHWTdnaBWV6CdXmPd3p+iIiOhjoYIVakaClOmnODf4WKbmt4g49nbJCCdmh1iIV8gHuTSCYvZKJiN1ylb4lygZV3b4WCjnV6jISDa3+TfXKIdaBWND1ypmNFaqZmlX98eX59fnSPg4iKdYB5gXl7fpRopWRCS4CaZFN4rGeAh3V1iouBeZKRlYx5hYeMc3iChGetclBZjppsYYakZYOFf4CJl4iEeZ+hdIeLlIp/gIGJYamAXmechXVvlKdsj3eFiHaWdZB1pKNyk3OXc4uCdpVmrY5sdamDgnyhlm94hI6QbGx1fGuVj257cm5tk4yCfWigm3mCsm6Piq+IeHiSdHJ2an9+cl9ceHt8bXVyeY99cJaph5C5ZJ2YvHCFgn95doR4jYuAWVqFiIp7gnV7f4Z5gLeVnrlYp6bBYIdyeIaDkIaDd4JnaIR2g4mNgoZ6cn9qwKOssVSXtMRZk3uGkoGFlH11jHV2jHN/l36Ekoh6jGHHsbqrV6DCuU6WfIV5goSVf3+Rg4SQf3+afYV3inqSUMK/yJBcmtCjTZNwcXFycXB6goKRkn2FdnJxcHJzb5NIsc3UbmqI3YVUn319f357ZX9/iJ6ehIF9ZH18gH98n0uY29dUd5PeWWGRf4mMi4hygXhypaByd4JxiomNi3qVV2nkxT+Dd781b5R6doGCh4CPhmqZkG+FkH+GhH53d5pkO9KQN5B1Qy59jX90eXmOjoePcGVjdoyKjYt7dnV7lnIqTDFCmHAVOot8ioJ3doqYdHZ8U1h9dHiWiXR4g4OIgDQSG1CeYiNIl32Ih4WEbnd0fYlhZop8c3RzgoaFhIeNQiApXqVnMVafaoN3hJJyaX+FkW90kIV9ZXqQgnWCcZpQLjdsoV4/ZKlxkXmFh3t3h3qKfYKGfoZzf4iCeZB2pV48RXqnaE1yqGWKg3ZyhIV9dZWLj5B1gYGGcXiAjGWpbEpTiJhnWn+ua3yJe3yOkoh+fpibeICLjo96foOCarB5V2CVmHJojaRoineAg3qXeYt5o6R0jnmYd4V+dZBiqodlbqOCfHabnm6DfoyPdINzhmudmWuHcYVykol8iWenlXN8rniJhKmRcnKMfX1wZHl4bnNtc3V2Z3B+f4l3a52jgYq4aZeStnyAgItzcH5yh4Z6VFWAg4R1fG93ioV2i7GPmLlepaDBb4V3dIB+jICQioRhYomIjoOKfYB1eHx9vZ2mulqcrsRcjXWAjoGJjn1yh29wh3F/kYSCjoJ0hmXFq7SwVZq6vlCZgYuTg4Wag3uSe3ySeYWdfYeSjoCSVcS3wJ1Xpg==")]
    public void Resize_matches_pil_bilinear(int width, int height, int outWidth, int outHeight, int xFactor, int yFactor, int squareX, string expectedBase64)
    {
        var input = Pattern(width, height, (x, y) => squareX * x * x + xFactor * x + yFactor * y);
        var expected = Convert.FromBase64String(expectedBase64);
        var actual = ImageResampler.Resize(input, 1, height, width, outHeight, outWidth);
        Assert.Equal(expected.Length, actual.Length);
        int worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1, $"largest difference to PIL: {worst} grey levels");
    }

    [Fact]
    public void Constant_planes_stay_constant_and_same_size_is_identity()
    {
        var constant = Enumerable.Repeat((byte)201, 2 * 9 * 13).ToArray();
        Assert.All(ImageResampler.Resize(constant, 2, 9, 13, 4, 3), v => Assert.Equal(201, v));
        Assert.All(ImageResampler.Resize(constant, 2, 9, 13, 20, 31), v => Assert.Equal(201, v));
        var pattern = Pattern(5, 4, (x, y) => 17 * x + 61 * y);
        Assert.Equal(pattern, ImageResampler.Resize(pattern, 1, 4, 5, 4, 5));
    }

    [Fact]
    public void Crop_takes_the_box_of_every_channel()
    {
        // Two 3x4 planes (height 3, width 4): value = 100 * channel + 10 * y + x.
        var planes = Enumerable.Range(0, 2 * 12).Select(i => (byte)(100 * (i / 12) + 10 * (i % 12 / 4) + i % 4)).ToArray();
        var cropped = ImageResampler.Crop(planes, 2, 3, 4, left: 1, top: 1, right: 3, bottom: 3);
        Assert.Equal([11, 12, 21, 22, 111, 112, 121, 122], cropped.Select(b => (int)b));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResampler.Crop(planes, 2, 3, 4, 0, 0, 5, 3));
    }

    [Fact]
    public void Centred_square_of_a_wide_image_drops_both_sides()
    {
        var planes = Pattern(6, 2, (x, y) => x);
        var square = ImageResampler.CropCentredSquare(planes, 1, 2, 6, out int side);
        Assert.Equal(2, side);
        Assert.Equal([2, 3, 2, 3], square.Select(b => (int)b));
    }
}
