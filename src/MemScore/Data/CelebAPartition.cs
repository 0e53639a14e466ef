using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// CelebA's list_eval_partition.txt: one line per image, "FILE PARTITION" with partition 0 (train),
/// 1 (valid) or 2 (test). <see cref="Entry.Index"/> is the entry's position in the file (0-based),
/// which for the official list is the image number minus one.
/// </summary>
internal static class CelebAPartition
{
    public sealed record Entry(int Index, int Line, string FileName, int Partition);

    public static IReadOnlyList<Entry> Read(string path)
    {
        string text = InputFile.ReadAllText(path, ErrorKind.InvalidInput, "CelebA's list_eval_partition.txt");
        var entries = new List<Entry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var entry = Parse(path, line, lineNumber, entries.Count);
            if (!seen.Add(entry.FileName)) throw new InvalidInputException(path, $"line {lineNumber}: '{entry.FileName}' is listed twice");
            entries.Add(entry);
        }
        if (entries.Count == 0) throw new InvalidInputException(path, "lists no images");
        return entries;
    }

    static Entry Parse(string path, string line, int lineNumber, int index)
    {
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length != 2)
            throw new InvalidInputException(path, $"line {lineNumber}: '{line.Trim()}' has {fields.Length} fields, expected 'FILE PARTITION' (e.g. '000001.jpg 0')");
        string name = fields[0];
        if (name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0)
            throw new InvalidInputException(path, $"line {lineNumber}: '{name}' is not a plain file name");
        if (fields[1] is not ("0" or "1" or "2"))
            throw new InvalidInputException(path, $"line {lineNumber}: partition '{fields[1]}' for {name}, expected 0 (train), 1 (valid) or 2 (test)");
        return new Entry(index, lineNumber, name, fields[1][0] - '0');
    }
}
