using System.Diagnostics;
using MemScore.Core;

namespace MemScore.Execution.Slurm;

internal sealed record CommandResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs an external command (sbatch, squeue, scancel) and captures its output.</summary>
internal interface ICommandRunner
{
    CommandResult Run(string program, IReadOnlyList<string> arguments);
}

internal sealed class ProcessRunner : ICommandRunner
{
    public CommandResult Run(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return new CommandResult(process.ExitCode, stdout, stderr.Result);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new MemScoreException(ErrorKind.External, $"could not run '{program}': {e.Message}; is Slurm installed and on PATH?", e);
        }
    }
}
