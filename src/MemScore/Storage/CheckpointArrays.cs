using System.Text.Json;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// A checkpoint .npz read back (task or fold-ensemble checkpoints): its arrays, with the pieces both
/// kinds share checked and named after the file in errors: required arrays, the JSON "meta" record
/// and the completed-epoch count "epoch".
/// </summary>
internal sealed class CheckpointArrays(string path, Dictionary<string, NpyArray> arrays)
{
    public static CheckpointArrays Read(string path) => new(path, Npz.Read(path));

    public IReadOnlyDictionary<string, NpyArray> All => arrays;

    public NpyArray Get(string key) => arrays.TryGetValue(key, out var a) ? a : throw new InvalidInputException(path, $"checkpoint lacks '{key}'");

    public T Meta<T>()
    {
        try { return JsonSerializer.Deserialize<T>(Get("meta").Data) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new InvalidInputException(path, $"unreadable checkpoint metadata: {e.Message}", e); }
    }

    public int CompletedEpochs()
    {
        var epoch = Get("epoch");
        if (epoch.Descr != "<i8" || epoch.Length != 1 || epoch.ToInt64()[0] is < 1 or > int.MaxValue)
            throw new InvalidInputException(path, "'epoch' must be one int64 >= 1");
        return (int)epoch.ToInt64()[0];
    }

    /// <summary>The model's arrays: everything but the checkpoint's own bookkeeping.</summary>
    public Dictionary<string, NpyArray> ModelState(IReadOnlyCollection<string> reserved) =>
        arrays.Where(kv => !reserved.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
}
