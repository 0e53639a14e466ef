using System.Formats.Tar;
using System.IO.Compression;
using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// The CIFAR-10 "binary version": data_batch_1..5.bin (50,000 training images) and test_batch.bin,
/// each a sequence of 3,073-byte records: 1 label byte (0..9), then 1,024 red, 1,024 green and
/// 1,024 blue bytes of a 32x32 image in row-major order. Returns channel-major bytes [n, 3, 32, 32].
/// </summary>
internal static class Cifar10Reader
{
    public const int Side = 32;
    public const int RecordLength = 1 + 3 * Side * Side;
    public static readonly string[] TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string TestFile = "test_batch.bin";
    /// <summary>The folder the published archive (cifar-10-binary.tar.gz) holds the batches in.</summary>
    public const string ArchiveFolder = "cifar-10-batches-bin";
    /// <summary>Records accepted in one file (the published batches hold 10,000).</summary>
    public const int MaxRecords = 100_000;

    public sealed record Batch(byte[] Pixels, byte[] Labels)
    {
        public int Count => Labels.Length;
    }

    public static Batch ReadFile(string path)
    {
        // The size of what the path leads to (a symbolic link's own size is not the batch's).
        long length = InputFile.RequireRegular(path, ErrorKind.InvalidInput, "the CIFAR-10 binary version").Size;
        if (length == 0 || length % RecordLength != 0 || length / RecordLength > MaxRecords)
            throw new InvalidInputException(path, $"size {length} bytes is not a whole number of {RecordLength}-byte CIFAR-10 records (1 label + 3072 pixels), at most {MaxRecords}");
        var bytes = InputFile.ReadAllBytes(path, length, ErrorKind.InvalidInput, "the CIFAR-10 binary version");
        if (bytes.Length != length) throw new InvalidInputException(path, $"changed size while being read ({length} bytes, then {bytes.Length})");
        int n = (int)(length / RecordLength);
        var labels = new byte[n];
        var pixels = new byte[n * 3 * Side * Side];
        for (int i = 0; i < n; i++)
        {
            byte label = bytes[i * RecordLength];
            if (label > 9) throw new InvalidInputException(path, $"record {i} (offset {(long)i * RecordLength}) has label {label}, expected 0..9");
            labels[i] = label;
            Buffer.BlockCopy(bytes, i * RecordLength + 1, pixels, i * 3 * Side * Side, 3 * Side * Side);
        }
        return new Batch(pixels, labels);
    }

    /// <summary>The 50,000 training images from the five data batches in <paramref name="folder"/>, in file order.</summary>
    public static Batch ReadTraining(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidInputException(folder, "no such folder (expected cifar-10-batches-bin)");
        var batches = TrainFiles.Select(f => ReadFile(Path.Combine(folder, f))).ToArray();
        return new Batch(Concat(batches.Select(b => b.Pixels)), Concat(batches.Select(b => b.Labels)));
    }

    static byte[] Concat(IEnumerable<byte[]> parts)
    {
        var arrays = parts.ToArray();
        var all = new byte[arrays.Sum(a => (long)a.Length)];
        long offset = 0;
        foreach (var a in arrays)
        {
            Buffer.BlockCopy(a, 0, all, (int)offset, a.Length);
            offset += a.Length;
        }
        return all;
    }

    /// <summary>
    /// Extracts the five training batches and the test batch from the published tar.gz into
    /// <paramref name="targetFolder"/>: written to a temporary sibling folder and renamed when complete.
    /// Other entries are skipped; entry names are matched exactly, so nothing is written elsewhere.
    /// </summary>
    public static void ExtractArchive(string archive, string targetFolder)
    {
        var wanted = TrainFiles.Append(TestFile).ToHashSet(StringComparer.Ordinal);
        string full = Path.GetFullPath(targetFolder);
        string temp = TemporaryPath.For(full);
        try
        {
            Directory.CreateDirectory(temp);
            var found = ExtractWanted(archive, wanted, temp);
            var missing = wanted.Except(found).Order(StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
                throw new InvalidInputException(archive, $"archive lacks {string.Join(", ", missing.Select(m => $"{ArchiveFolder}/{m}"))}");
            Directory.Move(temp, full);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    static HashSet<string> ExtractWanted(string archive, HashSet<string> wanted, string folder)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                string fileName = name[(name.LastIndexOf('/') + 1)..];
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || name != $"{ArchiveFolder}/{fileName}"
                    || !wanted.Contains(fileName) || entry.DataStream is null) continue;
                using (var output = File.Create(Path.Combine(folder, fileName))) entry.DataStream.CopyTo(output);
                found.Add(fileName);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidInputException(archive, $"corrupt or truncated tar.gz archive: {e.Message}", e);
        }
        return found;
    }
}
