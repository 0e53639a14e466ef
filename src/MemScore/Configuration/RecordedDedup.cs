using System.Globalization;
using MemScore.Analysis;
using MemScore.Core;

namespace MemScore.Configuration;

/// <summary>
/// The near-duplicates that a run folder's dedup.csv recorded (by source index) when the run's data were first prepared with
/// --dedup <paramref name="Threshold"/> on the dataset with hash <paramref name="DatasetHash"/>. Later loads of the same data
/// (each task, worker and report) take them from here instead of searching again (<see cref="TrainingData.Prepare"/>).
/// </summary>
/// <param name="Origin">The file, named in errors.</param>
internal sealed record RecordedDedup(string Origin, string DatasetHash, double Threshold, IReadOnlyList<RemovedDuplicate> Removed)
{
    /// <summary>
    /// The recorded result as rows of <paramref name="all"/> (the data before deduplication); a record that cannot have come
    /// from the search on these data (an index not in the data, a removed example kept for another, a distance over the threshold)
    /// is refused naming the file and the value.
    /// </summary>
    public NearDuplicateSet ToSet(ExperimentData all)
    {
        ArgumentNullException.ThrowIfNull(all);
        var rowOf = new Dictionary<int, int>(all.Count);
        for (int row = 0; row < all.Count; row++) rowOf[all.SourceIndices[row]] = row;
        var removedRows = new HashSet<int>();
        var removed = new List<NearDuplicate>(Removed.Count);
        foreach (var d in Removed)
        {
            int row = RowOf(rowOf, d.SourceIndex, "removed_index"), kept = RowOf(rowOf, d.KeptSourceIndex, "kept_index");
            if (kept >= row) throw Refused($"kept_index {d.KeptSourceIndex} does not come before removed_index {d.SourceIndex}");
            if (!(d.Distance >= 0 && d.Distance <= Threshold))
                throw Refused($"distance {d.Distance.ToString("R", CultureInfo.InvariantCulture)} of removed_index {d.SourceIndex} is not within the threshold {Threshold.ToString("R", CultureInfo.InvariantCulture)}");
            if (!removedRows.Add(row)) throw Refused($"removed_index {d.SourceIndex} is listed twice");
            removed.Add(new NearDuplicate(row, kept, d.Distance));
        }
        foreach (var d in removed.Where(d => removedRows.Contains(d.Kept)))
            throw Refused($"kept_index {all.SourceIndices[d.Kept]} is itself removed");
        removed.Sort((a, b) => a.Removed.CompareTo(b.Removed));
        return new NearDuplicateSet(all.Count, Threshold, Enumerable.Range(0, all.Count).Where(r => !removedRows.Contains(r)).ToArray(), [.. removed]);
    }

    int RowOf(Dictionary<int, int> rowOf, int sourceIndex, string field) =>
        rowOf.TryGetValue(sourceIndex, out int row) ? row : throw Refused($"{field} {sourceIndex} is not an example of the data");

    MemScoreException Refused(string problem) =>
        new(ErrorKind.RunFolder, $"{Origin}: {problem}; the file does not fit the run's data: delete it to search again, or use a new --out");
}
