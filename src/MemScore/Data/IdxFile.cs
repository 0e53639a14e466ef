using System.Buffers.Binary;
using System.IO.Compression;
using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code, the number of
/// dimensions, big-endian 32-bit sizes, then the values. Unsigned bytes (type 0x08) only, which is
/// what every image/label file of that family uses. Gzip-compressed files are read transparently.
/// </summary>
internal sealed record IdxFile(int[] Dimensions, byte[] Values)
{
    const byte UnsignedByte = 0x08;
    const int MaxDimensions = 4;
    // Largest file accepted: 2 GB of values; refuses absurd headers before allocating.
    const long MaxValues = int.MaxValue / 2;

    public static IdxFile Read(string path)
    {
        using var file = InputFile.OpenRead(path, ErrorKind.InvalidInput, "an IDX file");
        Stream stream = file;
        bool gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        if (gzip) stream = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            // What the file can hold at most: its own bytes, or what deflate can expand them to.
            return ReadFrom(stream, path, gzip ? checked(file.Length * MaxDeflateRatio) : file.Length, gzip);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException(path, $"corrupt gzip stream: {e.Message}", e);
        }
        finally
        {
            if (gzip) stream.Dispose();
        }
    }

    /// <summary>Deflate expands its input at most ~1032-fold: a gzip file cannot hold more than this many bytes per byte.</summary>
    const long MaxDeflateRatio = 1032;

    /// <summary>Largest image (values per item) accepted, as for PNG/JPEG files (<see cref="ImageDecoder.MaxPixels"/>).</summary>
    public const long MaxItemValues = ImageDecoder.MaxPixels;

    /// <param name="maxBytes">The most bytes <paramref name="stream"/> can deliver (checked against the header before allocating).</param>
    /// <param name="compressed">Whether <paramref name="maxBytes"/> is a bound from compression (for the message).</param>
    public static IdxFile ReadFrom(Stream stream, string source, long maxBytes = long.MaxValue, bool compressed = false)
    {
        var magic = new byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4) throw new InvalidInputException(source, $"truncated IDX header: expected 4 magic bytes, found {got}");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidInputException(source, $"bad IDX magic {Convert.ToHexString(magic)}: expected 0000 then type and dimension count");
        if (magic[2] != UnsignedByte)
            throw new InvalidInputException(source, $"IDX type code 0x{magic[2]:X2} not supported: expected 0x08 (unsigned byte)");
        int rank = magic[3];
        if (rank < 1 || rank > MaxDimensions)
            throw new InvalidInputException(source, $"IDX dimension count {rank} out of range 1..{MaxDimensions}");
        var sizeBytes = new byte[4 * rank];
        got = stream.ReadAtLeast(sizeBytes, sizeBytes.Length, throwOnEndOfStream: false);
        if (got < sizeBytes.Length)
            throw new InvalidInputException(source, $"truncated IDX header: expected {sizeBytes.Length} size bytes, found {got}");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.AsSpan(4 * i));
            if (size == 0 || size > int.MaxValue)
                throw new InvalidInputException(source, $"IDX dimension {i} has size {size}: expected 1..{int.MaxValue}");
            dims[i] = (int)size;
            count *= size;
            if (count > MaxValues)
                throw new InvalidInputException(source, $"IDX header declares more than {MaxValues} values (dimensions {string.Join("x", dims.Take(i + 1))}...)");
        }
        long item = count / dims[0];
        if (item > MaxItemValues)
            throw new InvalidInputException(source, $"IDX header declares items of {string.Join("x", dims.Skip(1))} = {item} values, more than {MaxItemValues} (the largest image accepted)");
        long header = 4 + 4L * rank;
        if (count > maxBytes - header)
            throw new InvalidInputException(source, compressed
                ? $"IDX header declares {count} values ({string.Join("x", dims)}), more than a gzip file of {maxBytes / MaxDeflateRatio} bytes can hold"
                : $"truncated IDX data: header declares {count} values ({string.Join("x", dims)}), found {Math.Max(0, maxBytes - header)}");
        // The bytes and their float32 tensor must fit in memory (refused before decompressing anything).
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (count * 5 > available)
            throw new InvalidInputException(source, $"IDX header declares {count} values ({string.Join("x", dims)}): loading needs about {count * 5 >> 20} MB, more than the {available >> 20} MB of memory available");
        var values = new byte[count];
        got = stream.ReadAtLeast(values, values.Length, throwOnEndOfStream: false);
        if (got < values.Length)
            throw new InvalidInputException(source, $"truncated IDX data: header declares {values.Length} values ({string.Join("x", dims)}), found {got}");
        if (stream.ReadByte() != -1)
            throw new InvalidInputException(source, $"IDX file has data beyond the {values.Length} values its header declares ({string.Join("x", dims)})");
        return new IdxFile(dims, values);
    }

    public void Write(string path) => AtomicFile.Write(path, WriteTo);

    public void WriteTo(Stream stream)
    {
        stream.Write([0, 0, UnsignedByte, (byte)Dimensions.Length]);
        Span<byte> size = stackalloc byte[4];
        foreach (int d in Dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(size, d);
            stream.Write(size);
        }
        stream.Write(Values);
    }
}
