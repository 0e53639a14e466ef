using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MemScore.Reporting;

/// <summary>Minimal PNG writer for 8-bit grayscale images (image grids of the report).</summary>
public static class PngEncoder
{
    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <param name="pixels">Row-major, one byte per pixel, width * height values.</param>
    public static byte[] Grayscale(byte[] pixels, int width, int height)
    {
        if (width < 1 || height < 1 || pixels.Length != width * height) throw new ArgumentException($"need {width}x{height} pixels, got {pixels.Length}");
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // bit depth
        header[9] = 0;   // grayscale
        WriteChunk(output, "IHDR", header);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);   // filter: none
                zlib.Write(pixels, y * width, width);
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
    public static byte[] Upscale(byte[] pixels, int width, int height, int factor)
    {
        var result = new byte[width * height * factor * factor];
        for (int y = 0; y < height * factor; y++)
            for (int x = 0; x < width * factor; x++)
                result[y * width * factor + x] = pixels[y / factor * width + x / factor];
        return result;
    }
}
