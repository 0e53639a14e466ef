using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MemScore.Reporting;

/// <summary>Minimal PNG writer for 8-bit grayscale and RGB images (image grids of the report).</summary>
public static class PngEncoder
{
    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <param name="pixels">Row-major, one byte per pixel, width * height values.</param>
    public static byte[] Grayscale(byte[] pixels, int width, int height) => Encode(pixels, width, height, channels: 1);

    /// <param name="pixels">Row-major, interleaved R, G, B bytes, width * height * 3 values.</param>
    public static byte[] Rgb(byte[] pixels, int width, int height) => Encode(pixels, width, height, channels: 3);

    static byte[] Encode(byte[] pixels, int width, int height, int channels)
    {
        if (width < 1 || height < 1 || pixels.Length != width * height * channels)
            throw new ArgumentException($"need {width}x{height}x{channels} values, got {pixels.Length}");
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // bit depth
        header[9] = channels == 1 ? (byte)0 : (byte)2;   // colour type: grayscale or truecolour
        WriteChunk(output, "IHDR", header);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);   // filter: none
                zlib.Write(pixels, y * width * channels, width * channels);
            }
        WriteChunk(output, "IDAT", raw.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typeBytes.Concat(data)) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        BinaryPrimitives.WriteUInt32BigEndian(length, crc ^ 0xFFFFFFFFu);
        s.Write(length);
    }

    /// <summary>Upscales by an integer factor (nearest neighbour) so 32x32 digits are visible.</summary>
    public static byte[] Upscale(byte[] pixels, int width, int height, int factor, int channels = 1)
    {
        var result = new byte[width * height * factor * factor * channels];
        for (int y = 0; y < height * factor; y++)
            for (int x = 0; x < width * factor; x++)
                for (int c = 0; c < channels; c++)
                    result[(y * width * factor + x) * channels + c] = pixels[(y / factor * width + x / factor) * channels + c];
        return result;
    }
}
