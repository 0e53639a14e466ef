using System.Diagnostics;

namespace MemScore.Tests.Support;

/// <summary>
/// A fact that needs a running Slurm (tests/slurm/start-slurm.sh, called by ./test.sh, exports
/// SLURM_CONF). Without one the test is reported as skipped with the reason, never silently.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public static readonly string? Unavailable = Probe();

    public SlurmFactAttribute()
    {
        if (Unavailable is not null) Skip = "Slurm not available: " + Unavailable;
    }

    static string? Probe()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SLURM_CONF")))
            return "SLURM_CONF is not set (./test.sh starts a local Slurm; it could not here, see its output)";
        try
        {
            var start = new ProcessStartInfo("sinfo", "-h -o %T") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(start)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 && output.Contains("idle") || output.Contains("mix") || output.Contains("alloc") ? null : $"sinfo printed '{output.Trim()}'";
        }
        catch (Exception e) { return "sinfo failed: " + e.Message; }
    }
}
