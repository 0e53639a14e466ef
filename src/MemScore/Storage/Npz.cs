using System.IO.Compression;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>NumPy .npz archives (a zip of .npy members, stored uncompressed like numpy.savez).</summary>
internal static class Npz
{
    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays) =>
        AtomicFile.Write(path, stream => WriteTo(stream, arrays));

    public static void WriteTo(Stream stream, IReadOnlyDictionary<string, NpyArray> arrays)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            // Fixed timestamp: identical content gives identical bytes.
            entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var entryStream = entry.Open();
            array.WriteTo(entryStream);
        }
    }

    /// <summary>
    /// Reads every member. Before anything is unpacked, the members' declared sizes together must not exceed
    /// <paramref name="maxBytes"/> (default: half the memory available), and each member's .npy header must
    /// declare no more data than the member holds: a zip bomb or a lying header is refused, not allocated.
    /// </summary>
    /// <param name="maxBytes">What the caller expects at most (e.g. from the run's plan); 0 = the memory-based default.</param>
    public static Dictionary<string, NpyArray> Read(string path, long maxBytes = 0)
    {
        if (maxBytes <= 0) maxBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        try
        {
            if (InputFile.Stat(path) is null && new FileInfo(path).LinkTarget is null) throw new InvalidInputException(path, "file not found");
            using var file = InputFile.OpenRead(path, ErrorKind.RunFolder, "a .npz file");
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            long declared = zip.Entries.Sum(e => e.Length);
            if (declared > maxBytes)
                throw new InvalidInputException(path, $"members unpack to {declared} bytes, more than the {maxBytes} bytes expected of this file");
            var result = new Dictionary<string, NpyArray>();
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal) || entry.FullName.Contains('/'))
                    throw new InvalidInputException(path, $"unexpected member '{entry.FullName}' (expected NAME.npy)");
                using var entryStream = entry.Open();
                result[entry.FullName[..^4]] = NpyArray.ReadFrom(entryStream, $"{path}:{entry.FullName}", entry.Length);
            }
            return result;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException(path, $"not a valid .npz (zip) file: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidInputException(path, "file not found", e);
        }
    }
}
