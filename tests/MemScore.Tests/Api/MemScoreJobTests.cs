using MemScore.Api;
using MemScore.Core;
using MemScore.Execution;
using MemScore.Tests.Reporting;
using MemScore.Tests.Support;

namespace MemScore.Tests.Api;

/// <summary>The entry point's reading and reporting sides without training (the full Run -> Open path: Packaging/ConsoleJobExampleTests).</summary>
public class MemScoreJobTests
{
    const string Header = "index,label,U,V,M,n_in,n_out,M_lo,M_hi,p,q";

    [Fact]
    public void Open_of_a_folder_that_is_no_run_names_its_run_json()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<MemScoreException>(() => MemScoreJob.Open(dir.Path));
        Assert.Equal(ErrorKind.RunFolder, error.Kind);
        Assert.Contains(Path.Combine(dir.Path, "run.json"), error.Message);
    }

    [Fact]
    public void Open_and_Report_read_a_run_with_planted_memorization()
    {
        using var run = new SyntheticRun(examples: 120, folds: 4, repeats: 2, planted: 3, gain: 40);
        var scores = MemScoreJob.Open(run.Root);
        Assert.Equal(run.Context.Manifest.ConfigHash, scores.ConfigHash);
        Assert.Equal(120, scores.Rows.Count);
        Assert.Equal(run.Planted.Order(), scores.Top(3).Select(r => r.Row).Order());
        var report = MemScoreJob.Report(run.Root);
        Assert.Equal(Path.Combine(run.Root, "report", "index.html"), report.IndexPath);
        Assert.True(File.Exists(report.IndexPath) && report.Figures > 0, $"{report}");
    }

    [Fact]
    public void Rows_keep_exact_values_and_read_empty_fields_as_NaN()
    {
        var rows = ScoreTableReader.Rows("scores.csv", [Header,
            "17,3,-600.5,-610.25,9.75,1,1,-Infinity,Infinity,0.5,0.9375",
            "4,1,-700,-699,-1,2,0,,,,"]);
        Assert.Equal(new ScoreRow(0, 17, 3, -600.5, -610.25, 9.75, 1, 1, double.NegativeInfinity, double.PositiveInfinity, 0.5, 0.9375), rows[0]);
        Assert.Equal((1, 4, 2, 0), (rows[1].Row, rows[1].Index, rows[1].InModels, rows[1].OutModels));
        Assert.All(new[] { rows[1].Lower, rows[1].Upper, rows[1].P, rows[1].Q }, v => Assert.True(double.IsNaN(v)));
    }

    [Theory]
    [InlineData("index,label,U,V,M,n_in,n_out", "line 1: expected the header")]
    [InlineData(Header + "\n1,0,abc,-1,1,1,1,,,,", "line 2: U = 'abc': expected a number or nothing")]
    [InlineData(Header + "\n1,0,-1,-1,0,1,1,,,", "line 2: 10 fields, expected 11")]
    [InlineData(Header + "\n1.5,0,-1,-1,0,1,1,,,,", "line 2: index = '1.5': expected an integer")]
    public void A_damaged_scores_csv_is_refused_naming_line_and_column(string text, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => ScoreTableReader.Rows("/r/scores.csv", text.Split('\n')));
        Assert.StartsWith("/r/scores.csv: " + expected, error.Message);
    }

    [Fact]
    public void Top_orders_by_M_with_ties_by_row_and_leaves_out_rows_without_M()
    {
        ScoreRow Row(int row, double m) => new(row, row, 0, 0, 0, m, 1, 1, double.NaN, double.NaN, double.NaN, double.NaN);
        var table = new ScoreTable("/r", "h", [Row(0, 1), Row(1, double.NaN), Row(2, 3), Row(3, 1)]);
        Assert.Equal([2, 0, 3], table.Top(5).Select(r => r.Row));
        Assert.Equal([2], table.Top(1).Select(r => r.Row));
    }

    [Fact]
    public void Every_run_stage_has_the_job_stage_of_the_same_name()
    {
        foreach (var stage in Enum.GetValues<RunStage>())
            Assert.Equal(stage.ToString(), JobProgress.From(new RunProgress(stage, 0, 1)).Stage.ToString());
    }
}
