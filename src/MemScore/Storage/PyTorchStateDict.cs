using System.Collections.Specialized;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// A model's weights as a PyTorch state dict file: `torch.load(path)` gives a dict NAME -> tensor for
/// `module.load_state_dict(..., strict=True)`. The entries are the "param.NAME" and "buffer.NAME" arrays of a saved
/// model state (Models.ICheckpointable.SaveState, a full run's model.npz) under NAME, float32 and int64 as stored;
/// optimizer moments are left out. TorchSharp.PyBridge pickles the dict in PyTorch's zip format; the zip is then
/// rewritten with stored entries and a fixed time stamp, so the same weights give the same bytes. Written atomically.
/// </summary>
internal static class PyTorchStateDict
{
    public const string Extension = ".pt";

    static readonly string[] Prefixes = ["param.", "buffer."];
    static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> state)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(state);
        byte[] pickled = Pickle(state);
        AtomicFile.Write(path, stream => Rezip(pickled, stream));
    }

    /// <summary>The state-dict names and arrays of <paramref name="state"/>, in its order.</summary>
    public static IEnumerable<(string Name, NpyArray Array)> Entries(IReadOnlyDictionary<string, NpyArray> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (key, array) in state)
            if (Prefixes.FirstOrDefault(p => key.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
                yield return (key[prefix.Length..], array);
    }

    static byte[] Pickle(IReadOnlyDictionary<string, NpyArray> state)
    {
        using var scope = NewDisposeScope();
        var dict = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var (name, array) in Entries(state)) dict.Add(name, ToTensor(name, array));
        if (dict.Count == 0) throw new ArgumentException("the state holds no 'param.' or 'buffer.' arrays", nameof(state));
        using var memory = new MemoryStream();
        PyTorchPickler.PickleStateDict(memory, dict, true);
        return memory.ToArray();
    }

    static Tensor ToTensor(string name, NpyArray array) => array.Descr switch
    {
        "<f4" => tensor(array.ToFloats(), array.Shape),
        "<f8" => tensor(array.ToDoubles(), array.Shape),
        "<i8" => tensor(array.ToInt64(), array.Shape),
        _ => throw new ArgumentException($"'{name}' has dtype {array.Descr}; state dicts are written from float32, float64 or int64 arrays", nameof(array)),
    };

    static void Rezip(byte[] pickled, Stream target)
    {
        using var source = new ZipArchive(new MemoryStream(pickled), ZipArchiveMode.Read);
        using var output = new ZipArchive(target, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            var copy = output.CreateEntry(entry.FullName, CompressionLevel.NoCompression);
            copy.LastWriteTime = FixedTime;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }
}
