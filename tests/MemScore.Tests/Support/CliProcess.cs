using System.Diagnostics;

namespace MemScore.Tests.Support;

public sealed record CliResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs the real memscore CLI (built beside the tests) as a separate process.</summary>
public static class CliProcess
{
    public static CliResult Run(params string[] args) => Run(null, args);

    public static CliResult Run(IDictionary<string, string>? environment, params string[] args) =>
        RunAndKill(environment, null, args) ?? throw new InvalidOperationException("not killed, so a result exists");

    /// <summary>Starts the CLI; kills it with SIGKILL after <paramref name="killAfter"/> if still running (then returns null).</summary>
    public static CliResult? RunAndKill(IDictionary<string, string>? environment, TimeSpan? killAfter, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MemScore.Cli.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return null;
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"memscore {string.Join(' ', args)} did not finish in 10 minutes");
        }
        return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
