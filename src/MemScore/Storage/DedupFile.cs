using System.Globalization;
using System.Text;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;

namespace MemScore.Storage;

/// <summary>
/// dedup.csv of a run made with --dedup: one row per training example left out, by the dataset's own
/// (source) indices: removed_index, kept_index (the earlier example it duplicates), distance (RMS per pixel of
/// the 2x down-sampled grey-level images). Header only when nothing was removed.
/// </summary>
internal static class DedupFile
{
    public const string Name = "dedup.csv";
    public const string Header = "removed_index,kept_index,distance";

    public static string Csv(IEnumerable<RemovedDuplicate> removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var d in removed)
            sb.Append(d.SourceIndex).Append(',').Append(d.KeptSourceIndex).Append(',').Append(d.Distance.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes folder/dedup.csv (atomically) when the data were deduplicated and the file is not there yet.</summary>
    public static void WriteIfDeduplicated(string folder, ExperimentData data, bool deduplicated)
    {
        ArgumentNullException.ThrowIfNull(data);
        string path = Path.Combine(folder, Name);
        if (deduplicated && !File.Exists(path)) AtomicFile.WriteAllText(path, Csv(data.Removed));
    }
}
