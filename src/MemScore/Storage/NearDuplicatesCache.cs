using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Analysis;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>What a cached near-duplicate search was computed from: the dataset, the threshold and the run's examples (by source index).</summary>
internal sealed record NearDuplicatesKey(string DatasetHash, double Threshold, IReadOnlyList<int> SourceIndices)
{
    public string SourceIndicesHash()
    {
        var bytes = new byte[SourceIndices.Count * sizeof(int)];
        for (int i = 0; i < SourceIndices.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), SourceIndices[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}

/// <summary>
/// near_duplicates.json in a run folder: the near-duplicate search of the report's duplicates section (<see cref="NearDuplicates"/>
/// on the run's grey-level images) at one threshold, computed once and reused by every later report. A file made for another
/// key (dataset, threshold, examples) or one that cannot be read or does not describe a valid result is not used: the search
/// runs again and replaces it (atomically).
/// </summary>
internal static class NearDuplicatesCache
{
    public const string Name = "near_duplicates.json";
    const int Format = 1;

    /// <param name="compute">The search, run only when the folder holds no usable result for <paramref name="key"/>.</param>
    public static NearDuplicateSet GetOrCompute(string folder, NearDuplicatesKey key, Func<NearDuplicateSet> compute)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(compute);
        string path = Path.Combine(folder, Name);
        if (TryRead(path, key) is { } cached) return cached;
        var set = compute();
        if (set.Count != key.SourceIndices.Count || set.Threshold != key.Threshold)
            throw new InvalidOperationException($"the search covered {set.Count} rows at threshold {set.Threshold}, the key {key.SourceIndices.Count} at {key.Threshold}");
        AtomicFile.WriteAllText(path, Json(key, set));
        return set;
    }

    /// <summary>The cached result for <paramref name="key"/>; null when the file is absent, made for another key, unreadable or inconsistent.</summary>
    public static NearDuplicateSet? TryRead(string path, NearDuplicatesKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!File.Exists(path)) return null;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root) return null;
            if (root["format"]?.GetValue<int>() != Format || root["dataset_hash"]?.GetValue<string>() != key.DatasetHash
                || root["threshold"]?.GetValue<double>() != key.Threshold || root["examples"]?.GetValue<int>() != key.SourceIndices.Count
                || root["source_indices_sha256"]?.GetValue<string>() != key.SourceIndicesHash())
                return null;
            var removed = (root["removed"] as JsonArray ?? throw new FormatException("no removed list"))
                .Select(entry => entry is JsonArray { Count: 3 } e
                    ? new NearDuplicate(e[0]!.GetValue<int>(), e[1]!.GetValue<int>(), e[2]!.GetValue<double>())
                    : throw new FormatException("a removed entry is not [row, kept_row, distance]"))
                .ToArray();
            return Consistent(removed, key) ? Set(removed, key) : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException or IOException)
        {
            return null;
        }
    }

    /// <summary>Rows ascending and in range, each removed against an earlier row that is itself kept, within the threshold.</summary>
    static bool Consistent(NearDuplicate[] removed, NearDuplicatesKey key)
    {
        var isRemoved = new HashSet<int>(removed.Select(d => d.Removed));
        for (int i = 0; i < removed.Length; i++)
        {
            var d = removed[i];
            if (d.Removed >= key.SourceIndices.Count || d.Kept < 0 || d.Kept >= d.Removed || isRemoved.Contains(d.Kept)) return false;
            if (i > 0 && d.Removed <= removed[i - 1].Removed) return false;
            if (!(d.Distance >= 0 && d.Distance <= key.Threshold)) return false;
        }
        return true;
    }

    static NearDuplicateSet Set(NearDuplicate[] removed, NearDuplicatesKey key)
    {
        var isRemoved = new HashSet<int>(removed.Select(d => d.Removed));
        int n = key.SourceIndices.Count;
        return new NearDuplicateSet(n, key.Threshold, Enumerable.Range(0, n).Where(i => !isRemoved.Contains(i)).ToArray(), removed);
    }

    static string Json(NearDuplicatesKey key, NearDuplicateSet set)
    {
        var removed = new JsonArray();
        foreach (var d in set.Removed) removed.Add(new JsonArray(d.Removed, d.Kept, d.Distance));
        return new JsonObject
        {
            ["format"] = Format, ["dataset_hash"] = key.DatasetHash, ["threshold"] = key.Threshold, ["examples"] = key.SourceIndices.Count,
            ["source_indices_sha256"] = key.SourceIndicesHash(), ["removed"] = removed,
        }.ToJsonString();
    }
}
