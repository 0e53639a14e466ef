namespace MemScore.Api;

/// <summary>The scores of a finished run, read from its scores.csv (<see cref="MemScoreJob.Open"/>).</summary>
/// <param name="RunFolder">Absolute path of the run folder.</param>
/// <param name="ConfigHash">Hash of the config that produced the scores (run.json).</param>
/// <param name="Rows">One row per example, in run order.</param>
public sealed record ScoreTable(string RunFolder, string ConfigHash, IReadOnlyList<ScoreRow> Rows)
{
    /// <summary>The <paramref name="count"/> rows with the highest M, highest first (ties: lower row first; rows without M last out).</summary>
    public IReadOnlyList<ScoreRow> Top(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return [.. Rows.Where(r => !double.IsNaN(r.M)).OrderByDescending(r => r.M).ThenBy(r => r.Row).Take(count)];
    }
}
