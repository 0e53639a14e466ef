using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace MemScore.Tests.Support;

/// <summary>
/// The real memscore CLI as a child process that a test can watch line by line and send signals to
/// (SIGINT, SIGTERM), with a working directory of the test's choice and a deadline after which it is
/// killed (a hostile input that makes memscore run forever fails the test instead of hanging it).
/// </summary>
public sealed class CliChild : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _stdout = new(), _stderr = new();
    readonly BlockingCollection<string> _errorLines = new();
    readonly Task _readOut, _readErr;

    public CliChild(string[] args, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MemScore.Cli.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        _process = Process.Start(start)!;
        _readOut = Task.Run(() => Pump(_process.StandardOutput, _stdout, null));
        _readErr = Task.Run(() => Pump(_process.StandardError, _stderr, _errorLines));
    }

    public int Pid => _process.Id;

    static void Pump(StreamReader reader, StringBuilder text, BlockingCollection<string>? lines)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lock (text) text.Append(line).Append('\n');
            lines?.Add(line);
        }
        lines?.CompleteAdding();
    }

    /// <summary>Waits for a stderr line containing <paramref name="fragment"/>; false when the process ended or the time ran out first.</summary>
    public bool WaitForErrorLine(string fragment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _errorLines.IsCompleted) return false;
            if (_errorLines.TryTake(out var line, left) && line.Contains(fragment, StringComparison.Ordinal)) return true;
        }
    }

    /// <summary>Sends a signal by name ("INT", "TERM") with kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the exit; a child still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public CliResult Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Task.WaitAll(_readOut, _readErr);
            Assert.Fail($"memscore did not finish within {timeout.TotalSeconds:F0} s (killed)\nstderr:\n{_stderr}");
        }
        _process.WaitForExit();
        Task.WaitAll(_readOut, _readErr);
        lock (_stdout) lock (_stderr) return new CliResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
    }

    /// <summary>Runs memscore to the end (at most <paramref name="timeout"/>, default 5 minutes).</summary>
    public static CliResult Run(string[] args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        using var child = new CliChild(args, workingDirectory);
        return child.Wait(timeout ?? TimeSpan.FromMinutes(5));
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit();
        }
        _process.Dispose();
        _errorLines.Dispose();
    }
}
