using System.Diagnostics;
using System.Globalization;
using MemScore.Tests.Support;

namespace MemScore.Tests.Packaging;

/// <summary>
/// Issue 13 item 6: examples/console-job (built with MemScore.slnx) runs a 2-fold job on 60 embedded digits through
/// MemScore.Api and prints the top 5 read back through MemScoreJob.Open. Its top example must be the highest M of
/// the scores.csv the job wrote (read here independently of the library), and the five printed M values must
/// match the file's to the printed 4 decimals (formatting only: same double, so the tolerance is half a unit of the 4th decimal).
/// </summary>
public class ConsoleJobExampleTests
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    [Fact]
    public void The_console_job_example_runs_a_job_and_prints_the_top_of_its_scores()
    {
        using var dir = new TempDirectory();
        string project = Path.Combine(RepositoryFiles.Root(), "examples", "console-job");
        // --no-build: the solution build made it; a build here would race the test run's own outputs.
        var (exit, output) = Dotnet("run", "--no-build", "-c", Configuration, "--project", project, "--", dir["run"]);
        Assert.True(exit == 0, output);

        var printed = output.Split('\n').Where(l => l.StartsWith("top ", StringComparison.Ordinal) && !l.StartsWith("top 5", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).Select(f => (Index: int.Parse(f[1], CultureInfo.InvariantCulture), M: double.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.True(printed.Count == 5, output);

        var fromCsv = File.ReadAllLines(dir["run/scores.csv"]).Skip(1).Select(l => l.Split(','))
            .Select(f => (Index: int.Parse(f[0], CultureInfo.InvariantCulture), M: double.Parse(f[4], CultureInfo.InvariantCulture)))
            .OrderByDescending(r => r.M).ToList();
        Assert.Equal(60, fromCsv.Count);
        Assert.Equal(fromCsv[0].Index, printed[0].Index);
        for (int i = 0; i < 5; i++) Assert.Equal(fromCsv[i].M, printed[i].M, 0.00005 + 1e-12);
        Assert.Contains("2 tasks trained, 0 reused", output);
    }

    static (int Exit, string Output) Dotnet(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, $"dotnet {string.Join(' ', args)}\n{stdout.Result}\n{stderr.Result}");
    }
}
