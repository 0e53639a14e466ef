using System.IO.Compression;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>NumPy .npz archives (a zip of .npy members, stored uncompressed like numpy.savez).</summary>
public static class Npz
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

    public static Dictionary<string, NpyArray> Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var zip = new ZipArchive(file, ZipArchiveMode.Read);
            var result = new Dictionary<string, NpyArray>();
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal) || entry.FullName.Contains('/'))
                    throw new InvalidInputException(path, $"unexpected member '{entry.FullName}' (expected NAME.npy)");
                using var entryStream = entry.Open();
                result[entry.FullName[..^4]] = NpyArray.ReadFrom(entryStream, $"{path}:{entry.FullName}");
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
