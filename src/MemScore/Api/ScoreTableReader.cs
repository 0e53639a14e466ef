using System.Globalization;
using MemScore.Core;
using MemScore.Storage;

namespace MemScore.Api;

/// <summary>Reads scores.csv (Storage.ScoreFiles.LastEpochCsv) back into typed rows; errors name the file, line and column.</summary>
static class ScoreTableReader
{
    static readonly string[] Columns = ["index", "label", "U", "V", "M", "n_in", "n_out", "M_lo", "M_hi", "p", "q"];

    public static ScoreTable Read(RunFolder folder)
    {
        if (!File.Exists(folder.ManifestPath))
            throw new MemScoreException(ErrorKind.RunFolder, $"{folder.ManifestPath}: not found; {folder.Root} is not a MemScore run folder");
        string path = folder.ScoresCsvPath;
        if (!File.Exists(path))
            throw new MemScoreException(ErrorKind.RunFolder, $"{path}: not found; finish the run (MemScoreJob.Run, or `memscore aggregate` over its tasks) first");
        var manifest = RunManifest.Read(folder.ManifestPath);
        return new ScoreTable(folder.Root, manifest.ConfigHash, Rows(path, File.ReadAllLines(path)));
    }

    /// <summary>The rows of scores.csv text <paramref name="lines"/> read from <paramref name="path"/>.</summary>
    internal static List<ScoreRow> Rows(string path, string[] lines)
    {
        if (lines.Length == 0 || lines[0] != string.Join(',', Columns))
            throw new InvalidInputException(path, $"line 1: expected the header {string.Join(',', Columns)}");
        var rows = new List<ScoreRow>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
            if (lines[i].Length > 0) rows.Add(Parse(path, i + 1, rows.Count, lines[i].Split(',')));
        return rows;
    }

    static ScoreRow Parse(string path, int line, int row, string[] fields)
    {
        if (fields.Length != Columns.Length)
            throw new InvalidInputException(path, $"line {line}: {fields.Length} fields, expected {Columns.Length} ({string.Join(',', Columns)})");
        int Int(int c) => int.TryParse(fields[c], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new InvalidInputException(path, $"line {line}: {Columns[c]} = '{fields[c]}': expected an integer");
        // An empty field is a value the run could not give (ScoreFiles writes NaN as empty).
        double Real(int c) => fields[c].Length == 0 ? double.NaN
            : double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new InvalidInputException(path, $"line {line}: {Columns[c]} = '{fields[c]}': expected a number or nothing");
        return new ScoreRow(row, Int(0), Int(1), Real(2), Real(3), Real(4), Int(5), Int(6), Real(7), Real(8), Real(9), Real(10));
    }
}
