using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// The CIFAR-10 "binary version": data_batch_1..5.bin (50,000 training images) and test_batch.bin,
/// each a sequence of 3,073-byte records: 1 label byte (0..9), then 1,024 red, 1,024 green and
/// 1,024 blue bytes of a 32x32 image in row-major order. Returns channel-major bytes [n, 3, 32, 32].
/// (The reader for issue 3; the logit-space models that use it are not in the registry yet.)
/// </summary>
public static class Cifar10Reader
{
    public const int Side = 32;
    public const int RecordLength = 1 + 3 * Side * Side;
    public static readonly string[] TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    public const string TestFile = "test_batch.bin";

    public sealed record Batch(byte[] Pixels, byte[] Labels)
    {
        public int Count => Labels.Length;
    }

    public static Batch ReadFile(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "file not found (expected the CIFAR-10 binary version)");
        long length = new FileInfo(path).Length;
        if (length == 0 || length % RecordLength != 0)
            throw new InvalidInputException(path, $"size {length} bytes is not a whole number of {RecordLength}-byte CIFAR-10 records (1 label + 3072 pixels)");
        var bytes = File.ReadAllBytes(path);
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
        return new Batch(batches.SelectMany(b => b.Pixels).ToArray(), batches.SelectMany(b => b.Labels).ToArray());
    }
}
