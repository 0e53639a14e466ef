using System.Diagnostics;
using System.Text;
using MemScore.Tests.Support;

namespace MemScore.Tests.Execution;

/// <summary>A planned tiny run shared by the cases below (planning trains nothing).</summary>
[Trait("Tier", "EndToEnd")]
public sealed class PlannedRunFixture : IDisposable
{
    readonly TempDirectory _dir = new();
    public string Run { get; }

    public PlannedRunFixture()
    {
        Run = _dir["run"];
        var r = CliProcess.Run("plan", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "1", "--out", Run);
        Assert.True(r.ExitCode == 0, r.StdErr);
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Issue 18 item 10: no value given to `memscore slurm submit` (flags or the run folder's path) can add
/// a command to the sbatch script. Needs no Slurm: --dry-run writes the script; bash and an emulation of
/// sbatch's #SBATCH parser read it back.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class SlurmScriptSafetyTests(PlannedRunFixture planned) : IClassFixture<PlannedRunFixture>
{
    public static TheoryData<string, string> HostileOptions() => new()
    {
        { "--partition", "gpu\ntouch /tmp/memscore-pwned" },
        { "--partition", "gpu;touch /tmp/memscore-pwned" },
        { "--partition", "$(touch /tmp/memscore-pwned)" },
        { "--partition", "`touch /tmp/memscore-pwned`" },
        { "--partition", "gpu --wrap=id" },
        { "--partition", "'gpu'" },
        { "--time", "04:00:00\ntouch /tmp/memscore-pwned" },
        { "--time", "04:00:00;id" },
        { "--time", "$(id)" },
        { "--time", "soon" },
        { "--time", "1:2:3:4" },
        { "--gres", "gpu:1\nid" },
        { "--gres", "gpu:1 --wrap=id" },
        { "--gres", "gpu:\"1\"" },
        { "--max-parallel", "0" },
    };

    [Theory]
    [MemberData(nameof(HostileOptions))]
    public void Hostile_option_is_refused_before_a_script_is_written(string flag, string value)
    {
        var before = ScriptsIn(planned.Run);
        var r = CliProcess.Run("slurm", "submit", planned.Run, "--dry-run", flag, value);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        string line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains(flag[2..] + " = ", line);
        Assert.Equal(before, ScriptsIn(planned.Run));
    }

    [Theory]
    [InlineData("--time", "04:00:00")]
    [InlineData("--time", "90")]
    [InlineData("--time", "2-12")]
    [InlineData("--time", "1-00:30:00")]
    [InlineData("--time", "UNLIMITED")]
    [InlineData("--partition", "gpu-a100_x.2,cpu")]
    [InlineData("--gres", "gpu:a100:2,mps:100")]
    public void Ordinary_option_values_are_written_as_given(string flag, string value)
    {
        var r = CliProcess.Run("slurm", "submit", planned.Run, "--dry-run", flag, value);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains($"#SBATCH {flag}={value}\n", r.StdOut);
    }

    static string[] ScriptsIn(string run) =>
        Directory.Exists(Path.Combine(run, "slurm")) ? Directory.GetFiles(Path.Combine(run, "slurm"), "*.sbatch").Order().ToArray() : [];

    /// <summary>sbatch's reading of one #SBATCH line (src/sbatch/opt.c, _get_argument): whitespace splits, quotes group, backslash escapes, # ends it.</summary>
    static List<string> SbatchArguments(string line)
    {
        var args = new List<string>();
        int i = 0;
        while (true)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            if (i >= line.Length) return args;
            var arg = new StringBuilder();
            bool escape = false, quoted = false;
            char quote = '\0';
            while (i < line.Length && (quoted || !char.IsWhiteSpace(line[i])) && line[i] != '\n')
            {
                char c = line[i];
                if (escape) escape = false;
                else if (c == '\\') { escape = true; i++; continue; }
                else if (quoted) { if (c == quote) { quoted = false; i++; continue; } }
                else if (c is '"' or '\'') { quoted = true; quote = c; i++; continue; }
                else if (c == '#') return args;
                arg.Append(c);
                i++;
            }
            args.Add(arg.ToString());
        }
    }

    /// <summary>The words bash makes of <paramref name="words"/> (one shell line), run with no command: printf prints them.</summary>
    static string[] BashWords(string words, string workingDirectory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("printf '%s\\0' " + words);
        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return output.Split('\0')[..^1];
    }

    [Fact]
    public void Run_path_with_spaces_quotes_and_shell_syntax_stays_one_literal_word()
    {
        using var dir = new TempDirectory();
        string weird = dir["we $(touch PWNED1) `touch PWNED2` 'q' \"d\" ;touch PWNED3 #4 50% x"];
        Directory.CreateDirectory(weird);
        string run = Path.Combine(weird, "run");
        var plan = CliProcess.Run("plan", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "1", "--out", run);
        Assert.True(plan.ExitCode == 0, plan.StdErr);
        var r = CliProcess.Run("slurm", "submit", run, "--dry-run", "--partition", "gpu", "--time", "01:00:00");
        Assert.True(r.ExitCode == 0, r.StdErr);
        string script = File.ReadAllText(Assert.Single(ScriptsIn(run)));

        // Every #SBATCH line is one argument to sbatch, exactly as written (no value needs quoting there).
        foreach (string line in script.Split('\n').Where(l => l.StartsWith("#SBATCH")))
            Assert.Equal([line["#SBATCH ".Length..]], SbatchArguments(line["#SBATCH".Length..]));

        // The shell line passes the run path as one literal word; nothing in it runs.
        string exec = Assert.Single(script.Split('\n'), l => l.StartsWith("exec "));
        var words = BashWords(exec["exec ".Length..], dir.Path);
        Assert.Equal(["task", run], words[^2..]);

        // The printed sbatch call gives the log paths as single words, % escaped as %% for Slurm's patterns.
        string submit = r.StdOut.Split("submit with: sbatch ")[1].Trim().TrimEnd(')');
        var sbatch = BashWords(submit, dir.Path);
        string logs = Path.Combine(run, "slurm", "logs").Replace("%", "%%");
        Assert.Contains($"--output={logs}/task_%a.out", sbatch);
        Assert.Contains($"--error={logs}/task_%a.err", sbatch);
        Assert.Empty(Directory.GetFiles(dir.Path, "PWNED*", SearchOption.AllDirectories));
        Assert.False(File.Exists("PWNED1") || File.Exists("PWNED2") || File.Exists("PWNED3"));
    }

    /// <summary>The same awkward path through a real Slurm: the array runs, logs land in RUN/slurm/logs, nothing injected runs.</summary>
    [SlurmFact]
    public void Run_folder_with_spaces_and_shell_syntax_completes_on_slurm()
    {
        using var dir = new TempDirectory();
        string weird = dir["we $(touch PWNED1) `touch PWNED2` 'q' \"d\" ;touch PWNED3 #4 50% x"];
        Directory.CreateDirectory(weird);
        string run = Path.Combine(weird, "run");
        var plan = CliProcess.Run("plan", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "1", "--out", run);
        Assert.True(plan.ExitCode == 0, plan.StdErr);
        var submit = CliProcess.Run("slurm", "submit", run, "--time", "00:10:00");
        Assert.True(submit.ExitCode == 0, submit.StdErr);
        string job = submit.StdOut.Split("Submitted job ")[1].Split(':')[0];
        var clock = Stopwatch.StartNew();
        while (Squeue(job).Length > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), $"job {job} still queued: {Squeue(job)}");
            Thread.Sleep(500);
        }
        var status = CliProcess.Run("status", run);
        Assert.Contains("done        2  0-1", status.StdOut);
        Assert.True(File.Exists(Path.Combine(run, "slurm", "logs", "task_0.out")));
        Assert.True(File.Exists(Path.Combine(run, "slurm", "logs", "task_1.err")));
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "PWNED*"));
        Assert.Empty(Directory.GetFiles(dir.Path, "PWNED*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Environment.CurrentDirectory, "PWNED*"));   // the jobs' working directory
    }

    static string Squeue(string jobId)
    {
        var start = new ProcessStartInfo("squeue", $"-h -r -j {jobId} -o %i|%T") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(start)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Trim();
    }

    [Fact]
    public void Run_path_with_a_newline_is_refused_for_slurm()
    {
        using var dir = new TempDirectory();
        string run = dir["a\ntouch PWNED\nb"];
        var plan = CliProcess.Run("plan", "--limit", "200", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "1", "--out", run);
        Assert.True(plan.ExitCode == 0, plan.StdErr);
        var r = CliProcess.Run("slurm", "submit", run, "--dry-run");
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        string line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains("a\\ntouch PWNED\\nb", line);
        Assert.Empty(ScriptsIn(run));
    }
}
