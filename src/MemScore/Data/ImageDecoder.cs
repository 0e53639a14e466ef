using System.Runtime.ExceptionServices;
using MemScore.Core;
using SkiaSharp;

namespace MemScore.Data;

/// <summary>A decoded image as channel-major RGB planes [3, H, W] of bytes.</summary>
internal sealed record RgbImage(int Height, int Width, byte[] Planes)
{
    public int PlaneSize => Height * Width;
}

/// <summary>
/// Decodes PNG and JPEG files with SkiaSharp. Pixels with transparency are composited onto black
/// (premultiplied colour), greyscale files give three equal planes; no colour-space conversion.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>Refuses headers that promise more pixels than this before allocating (decompression bombs).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Refuses image files larger than this (read whole before decoding).</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>Reads a regular file of at most <see cref="MaxFileBytes"/> and decodes it.</summary>
    public static RgbImage DecodeRgb(string path) => DecodeRgb(ReadFile(path), path);

    /// <summary>The bytes of an image file: a regular file (not a FIFO or device) of at most <see cref="MaxFileBytes"/>.</summary>
    public static byte[] ReadFile(string path) => InputFile.ReadAllBytes(path, MaxFileBytes, ErrorKind.InvalidInput, "a PNG or JPEG image");

    /// <summary>Decodes the bytes of a PNG or JPEG file; <paramref name="path"/> names it in errors.</summary>
    public static RgbImage DecodeRgb(byte[] encoded, string path)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var stream = new SKMemoryStream(encoded);   // owned by the codec once created
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
        {
            stream.Dispose();
            throw new InvalidInputException(path, $"not a readable PNG or JPEG image ({result})");
        }
        int width = codec.Info.Width, height = codec.Info.Height;
        if ((long)width * height > MaxPixels)
            throw new InvalidInputException(path, $"image is {width}x{height}, more than {MaxPixels} pixels");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var rgba = new byte[info.BytesSize];
        var status = codec.GetPixels(info, rgba);
        if (status != SKCodecResult.Success)
            throw new InvalidInputException(path, $"image data could not be decoded ({status}): truncated or corrupt file");
        return new RgbImage(height, width, ToPlanes(rgba, width * height));
    }

    /// <summary>
    /// Runs <paramref name="decode"/> for every index on all cores and places each result (exactly
    /// <paramref name="length"/> bytes) at index * length. Bad input stops the loop; the error of the
    /// lowest failing index reached is thrown.
    /// </summary>
    public static byte[] DecodeAll(int count, int length, Func<int, byte[]> decode, string source)
    {
        if ((long)count * length > Array.MaxLength)
            throw new InvalidInputException(source, $"{count} images of {length} bytes exceed the largest array .NET can hold");
        var output = new byte[count * length];
        var errors = new InvalidInputException?[count];
        Parallel.For(0, count, (i, state) =>
        {
            try
            {
                decode(i).CopyTo(output, (long)i * length);
            }
            catch (InvalidInputException e)
            {
                errors[i] = e;
                state.Stop();
            }
        });
        var first = Array.Find(errors, e => e is not null);
        if (first is not null) ExceptionDispatchInfo.Throw(first);
        return output;
    }

    static byte[] ToPlanes(byte[] rgba, int pixels)
    {
        var planes = new byte[3 * pixels];
        for (int p = 0; p < pixels; p++)
        {
            planes[p] = rgba[4 * p];
            planes[pixels + p] = rgba[4 * p + 1];
            planes[2 * pixels + p] = rgba[4 * p + 2];
        }
        return planes;
    }
}
