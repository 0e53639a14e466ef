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

    /// <summary>
    /// What folder/dedup.csv records for a run of <paramref name="config"/> on the dataset with hash <paramref name="datasetHash"/>
    /// (from the folder's manifest); null without --dedup or when the file is not there. A garbled file is refused naming the line.
    /// </summary>
    public static RecordedDedup? Recorded(string folder, ExperimentConfig config, string datasetHash)
    {
        ArgumentNullException.ThrowIfNull(config);
        string path = Path.Combine(folder, Name);
        if (config.Dedup is not double threshold || !File.Exists(path)) return null;
        return new RecordedDedup(path, datasetHash, threshold, Read(path));
    }

    public static RemovedDuplicate[] Read(string path)
    {
        var lines = InputFile.ReadAllText(path, ErrorKind.RunFolder, "a dedup.csv list").Split('\n');
        if (lines[0].TrimEnd('\r') != Header) throw Garbled(path, 1, $"header '{lines[0]}', expected '{Header}'");
        var removed = new List<RemovedDuplicate>();
        for (int k = 1; k < lines.Length; k++)
        {
            string line = lines[k].TrimEnd('\r');
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int removedIndex)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int keptIndex)
                || !double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double distance))
                throw Garbled(path, k + 1, $"'{line}', expected removed_index,kept_index,distance (two indices >= 0 and a number)");
            removed.Add(new RemovedDuplicate(removedIndex, keptIndex, distance));
        }
        return [.. removed];
    }

    static MemScoreException Garbled(string path, int line, string problem) =>
        new(ErrorKind.RunFolder, $"{path}: line {line}: {problem}; dedup.csv is damaged: delete it to search again, or use a new --out");

    /// <summary>Writes folder/dedup.csv (atomically) when the data were deduplicated and the file is not there yet.</summary>
    public static void WriteIfDeduplicated(string folder, ExperimentData data, bool deduplicated)
    {
        ArgumentNullException.ThrowIfNull(data);
        string path = Path.Combine(folder, Name);
        if (deduplicated && !File.Exists(path)) AtomicFile.WriteAllText(path, Csv(data.Removed));
    }
}
