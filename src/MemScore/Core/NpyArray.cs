using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MemScore.Core;

/// <summary>
/// One array in NumPy's .npy format (version 1.0, C order, little-endian), readable by numpy.load
/// without pickle. Only plain numeric dtypes are supported; object arrays are refused.
/// </summary>
internal sealed partial class NpyArray
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    const int MaxHeaderLength = 64 * 1024;

    public string Descr { get; }
    public long[] Shape { get; }
    public byte[] Data { get; }

    NpyArray(string descr, long[] shape, byte[] data)
    {
        Descr = descr;
        Shape = shape;
        Data = data;
    }

    public long Length => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>"FILE:MEMBER.npy" for an array read from a file (names it in errors), else null.</summary>
    public string? Source { get; private init; }

    /// <summary>
    /// A read array of the wrong kind (integers stored as floats) is damaged input naming file and
    /// member; an array made in memory is a programming error.
    /// </summary>
    Exception WrongType(string expected) => Source is null
        ? new InvalidOperationException($"dtype {Descr} {expected}")
        : new InvalidInputException(Source, $"dtype {Descr} {expected}; the file was not written by MemScore or is damaged");

    public static NpyArray FromDoubles(double[] values, params long[] shape) => Create("<f8", values, shape);
    public static NpyArray FromFloats(float[] values, params long[] shape) => Create("<f4", values, shape);
    public static NpyArray FromInt64(long[] values, params long[] shape) => Create("<i8", values, shape);
    public static NpyArray FromInt32(int[] values, params long[] shape) => Create("<i4", values, shape);
    public static NpyArray FromBytes(byte[] values, params long[] shape) => Create("|u1", values, shape);

    static NpyArray Create<T>(string descr, T[] values, long[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [values.LongLength];
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.LongLength)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values, array has {values.LongLength}", nameof(shape));
        return new NpyArray(descr, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    public double[] ToDoubles() => Descr switch
    {
        "<f8" => Cast<double>(),
        "<f4" => Array.ConvertAll(Cast<float>(), v => (double)v),
        "<i8" => Array.ConvertAll(Cast<long>(), v => (double)v),
        "<i4" => Array.ConvertAll(Cast<int>(), v => (double)v),
        "|u1" or "<u1" or "|b1" => Array.ConvertAll(Data, v => (double)v),
        _ => throw WrongType("cannot be read as float64"),
    };

    public float[] ToFloats() => Descr == "<f4" ? Cast<float>() : Array.ConvertAll(ToDoubles(), v => (float)v);

    public long[] ToInt64() => Descr switch
    {
        "<i8" => Cast<long>(),
        "<i4" => Array.ConvertAll(Cast<int>(), v => (long)v),
        "|u1" or "<u1" or "|b1" => Array.ConvertAll(Data, v => (long)v),
        _ => throw WrongType("is not an integer type: expected an integer array (int64, int32 or uint8)"),
    };

    T[] Cast<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Data).ToArray();

    static int ItemSize(string descr) => descr switch
    {
        "<f8" or "<i8" => 8,
        "<f4" or "<i4" => 4,
        "|u1" or "<u1" or "|b1" => 1,
        _ => -1,
    };

    public void WriteTo(Stream stream)
    {
        string dims = Shape.Length == 1 ? $"{Shape[0]}," : string.Join(", ", Shape);
        string header = $"{{'descr': '{Descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - unpadded % 64) % 64) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1);
        stream.WriteByte(0);
        Span<byte> length = stackalloc byte[2];
        BitConverter.TryWriteBytes(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(Data);
    }

    /// <summary>Reads one .npy stream; <paramref name="source"/> names it in error messages.</summary>
    /// <param name="streamBytes">The most bytes the stream holds (e.g. a zip member's size): a header declaring more data is refused before allocating.</param>
    public static NpyArray ReadFrom(Stream stream, string source, long streamBytes = long.MaxValue)
    {
        var prefix = new byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidInputException(source, "not a .npy array (bad magic bytes)");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var len = new byte[2];
            ReadExactly(stream, len, source, "header length");
            headerLength = BitConverter.ToUInt16(len);
        }
        else if (major is 2 or 3)
        {
            var len = new byte[4];
            ReadExactly(stream, len, source, "header length");
            headerLength = (int)Math.Min(BitConverter.ToUInt32(len), int.MaxValue);
        }
        else throw new InvalidInputException(source, $"unsupported .npy version {major}");
        if (headerLength > MaxHeaderLength)
            throw new InvalidInputException(source, $"header length {headerLength} exceeds {MaxHeaderLength} bytes");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "header");
        string header = Encoding.ASCII.GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !shape.Success)
            throw new InvalidInputException(source, $"unreadable .npy header '{header.Trim()}'");
        if (header.Contains("'fortran_order': True"))
            throw new InvalidInputException(source, "Fortran-ordered arrays are not supported");
        string d = descr.Groups[1].Value;
        if (d.Contains('O'))
            throw new InvalidInputException(source, "object (pickled) arrays are refused; only numeric dtypes are read");
        int itemSize = ItemSize(d);
        if (itemSize < 0) throw new InvalidInputException(source, $"unsupported dtype '{d}' (expected <f8, <f4, <i8, <i4 or |u1)");

        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shapeValues = new long[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (!long.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shapeValues[i]))
                throw new InvalidInputException(source, $"bad shape entry '{dims[i]}'");
            if (shapeValues[i] != 0 && count > Array.MaxLength / shapeValues[i])
                throw new InvalidInputException(source, $"shape ({string.Join(", ", dims)}) declares more than {Array.MaxLength} values");
            count *= shapeValues[i];
        }
        long bytes = count * itemSize;
        if (bytes > Array.MaxLength)
            throw new InvalidInputException(source, $"array of {bytes} bytes is too large");
        long available = streamBytes == long.MaxValue ? long.MaxValue : streamBytes - prefix.Length - (major == 1 ? 2 : 4) - headerLength;
        if (bytes > available)
            throw new InvalidInputException(source, $"truncated .npy data: shape ({string.Join(", ", dims)}) of {d} declares {bytes} bytes, the member holds {Math.Max(0, available)}");
        var data = new byte[bytes];
        ReadExactly(stream, data, source, "data");
        return new NpyArray(d, shapeValues, data) { Source = source };
    }

    static void ReadExactly(Stream stream, byte[] buffer, string source, string what)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw new InvalidInputException(source, $"truncated .npy {what}: expected {buffer.Length} bytes, found {read}");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
