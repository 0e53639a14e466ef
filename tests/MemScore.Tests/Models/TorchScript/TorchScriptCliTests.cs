using System.Diagnostics;
using System.Globalization;
using MemScore.Models.TorchScript;
using System.Text.RegularExpressions;
using MemScore.Tests.Support;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>The torchscript family through the real CLI, starting with README's walk-through as written.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public partial class TorchScriptCliTests
{
    static string Readme => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));

    /// <summary>The README's walk-through: the Python file and the two commands after "Score your own PyTorch model".</summary>
    static (string Python, string[] Commands) WalkThrough()
    {
        string section = Readme[Readme.IndexOf("## Score your own PyTorch model", StringComparison.Ordinal)..];
        var blocks = CodeBlock().Matches(section);
        return (blocks[0].Groups["body"].Value, blocks[1].Groups["body"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// README's walk-through executed verbatim in a fresh working folder: the Python block saved as mlp_vae.py, each
    /// line of the command block run by bash there (./memscore is a launcher of the CLI built beside the tests), then
    /// the Python block of "Read the results in Python". Rerunning the command with another module file is refused.
    /// </summary>
    [TorchScriptFact]
    public void Readme_walk_through_runs_verbatim_and_a_changed_module_file_is_a_different_run()
    {
        var (python, commands) = WalkThrough();
        Assert.Equal(File.ReadAllText(Path.Combine(TorchScriptFixtures.ExamplesFolder, "mlp_vae.py")), python);
        Assert.Equal(2, commands.Length);
        using var dir = new TempDirectory();
        File.WriteAllText(dir["mlp_vae.py"], python);
        WriteLauncher(dir["memscore"]);
        var saved = Bash(dir.Path, commands[0]);
        Assert.True(saved.ExitCode == 0, saved.StdErr);

        var run = Bash(dir.Path, commands[1]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        var lines = File.ReadAllLines(dir["runs/my-run/scores.csv"]);
        Assert.Equal(501, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.True(double.IsFinite(double.Parse(line.Split(',')[4], CultureInfo.InvariantCulture)), line));
        string sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(dir["mlp_vae.pt"]))).ToLowerInvariant();
        Assert.Contains(sha, File.ReadAllText(dir["runs/my-run/run.json"]));
        AssertReportNamesTheModule(run.StdOut, dir["runs/my-run/report/index.html"], "mlp_vae.pt", sha);

        File.WriteAllText(dir["read.py"], ReadResultsSnippet());
        var read = Bash(dir.Path, "/usr/bin/python3 read.py");
        Assert.True(read.ExitCode == 0, read.StdErr);
        Assert.Contains("[", read.StdOut);

        File.Copy(TorchScriptFixtures.File("mlp_vae_other.pt"), dir["mlp_vae.pt"], overwrite: true);
        var changed = Bash(dir.Path, commands[1]);
        Assert.Equal(4, changed.ExitCode);
        Assert.Contains("model-options", changed.StdErr);
        Assert.Contains("sha256", changed.StdErr);
    }

    /// <summary>run --report printed where the report is, and its index.html names the torchscript family, the module file and its hash.</summary>
    static void AssertReportNamesTheModule(string stdout, string index, string moduleFile, string sha)
    {
        Assert.Contains("report/index.html (", stdout.Split('\n').Single(line => line.StartsWith("Report: ", StringComparison.Ordinal)));
        string html = File.ReadAllText(index);
        Assert.Contains("torchscript (", html);
        Assert.Contains(moduleFile, html);
        Assert.Contains(sha, html);
    }

    /// <summary>A scripted DC-VAE with batch norm and no reset_parameters (default init rules) through `run --report` and `full`.</summary>
    [TorchScriptFact]
    public void Scripted_dc_vae_with_batch_norm_runs_through_run_and_full()
    {
        using var dir = new TempDirectory();
        string module = TorchScriptFixtures.File("dc_vae.pt");
        string[] common = ["--model", "torchscript", "--model-option", "path=" + module, "--limit", "200", "--epochs", "1", "--is-samples", "4", "--threads", "1"];
        var run = CliProcess.Run(["run", .. common, "--folds", "2", "--repeats", "1", "--out", dir["run"], "--report"]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        AssertReportNamesTheModule(run.StdOut, dir["run/report/index.html"], module, TorchScriptFile.Sha256(module));
        var scores = File.ReadAllLines(dir["run/scores.csv"]);
        Assert.Equal(201, scores.Length);
        Assert.All(scores.Skip(1), line => Assert.True(double.IsFinite(double.Parse(line.Split(',')[4], CultureInfo.InvariantCulture)), line));

        var full = CliProcess.Run(["full", .. common, "--out", dir["full"]]);
        Assert.True(full.ExitCode == 0, full.StdErr);
        var weights = MemScore.Storage.Npz.Read(dir["full/model.npz"]);
        Assert.Contains("param.encoder.0.weight", weights.Keys);
        Assert.Contains("buffer.encoder.1.running_mean", weights.Keys);
        Assert.True(File.Exists(dir["full/full.json"]));
    }

    [TorchScriptTheory]
    [InlineData("pickle_only.pt", 2, "a torch.save pickle")]
    [InlineData("wrong_shape.pt", 2, "log_px(x [2, 1, 32, 32], 2) returned a Float32 tensor of shape [2, 1]")]
    [InlineData("absent.pt", 2, "absent.pt\": expected the path of an existing file")]
    public void Malformed_modules_are_refused_before_anything_is_written(string name, int exit, string expected)
    {
        using var dir = new TempDirectory();
        string file = name == "absent.pt" ? dir["absent.pt"] : TorchScriptFixtures.File(name);
        var result = CliProcess.Run("run", "--model", "torchscript", "--model-option", "path=" + file, "--limit", "50", "--folds", "2", "--repeats", "1",
            "--epochs", "1", "--out", dir["run"]);
        Assert.Equal(exit, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        // As for every family, the sanity pass runs after the run folder's empty subfolders exist, before any file.
        Assert.Empty(Directory.Exists(dir["run"]) ? Directory.EnumerateFiles(dir["run"], "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void The_family_is_listed_and_needs_a_module_file()
    {
        Assert.Contains("torchscript", CliProcess.Run("models").StdOut);
        var result = CliProcess.Run("run", "--model", "torchscript", "--budget");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("model-options.path: required by model torchscript", result.StdErr);
        var stray = CliProcess.Run("run", "--model-option", "path=x.pt", "--budget");
        Assert.Equal(2, stray.ExitCode);
        Assert.Contains("model-options.path = \"x.pt\": unknown option; the options of model bernoulli-mlp-vae are dropout", stray.StdErr);
    }

    /// <summary>The Python block of README's "Read the results in Python".</summary>
    static string ReadResultsSnippet()
    {
        string section = Readme[Readme.IndexOf("## Read the results in Python", StringComparison.Ordinal)..];
        return CodeBlock().Matches(section)[0].Groups["body"].Value;
    }

    [Theory]
    [InlineData("plan", "--report does not apply to `memscore plan`")]
    [InlineData("full", "--report does not apply to `memscore full`")]
    public void Report_is_a_run_flag(string command, string expected)
    {
        using var dir = new TempDirectory();
        var result = CliProcess.Run(command, "--report", "--limit", "50", "--out", dir["out"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.False(Directory.Exists(dir["out"]), "nothing may be written");
    }

    /// <summary>
    /// An executable ./memscore in <paramref name="path"/>'s folder that runs the repository's launcher (with its
    /// choice of allocator), or the CLI built beside the tests where no checkout lies above them.
    /// </summary>
    static void WriteLauncher(string path)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !(File.Exists(Path.Combine(root.FullName, "memscore")) && File.Exists(Path.Combine(root.FullName, "MemScore.slnx"))))
            root = root.Parent;
        string target = root is null ? $"dotnet exec \"{Path.Combine(AppContext.BaseDirectory, "MemScore.Cli.dll")}\"" : $"\"{Path.Combine(root.FullName, "memscore")}\"";
        File.WriteAllText(path, $"#!/usr/bin/env bash\nexec {target} \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>libtorch's TorchScript interpreter crashes under tcmalloc: a preloaded tcmalloc is refused, naming the way out.</summary>
    [TorchScriptFact]
    public void A_torchscript_run_under_tcmalloc_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["LD_PRELOAD"] = "/nonexistent/libtcmalloc_minimal.so.4" };
        var result = CliProcess.Run(environment, "run", "--model", "torchscript", "--model-option", "path=" + TorchScriptFixtures.File("mlp_vae.pt"), "--out", dir["run"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("crashes under tcmalloc", result.StdErr);
        Assert.Contains("MEMSCORE_NO_TCMALLOC=1", result.StdErr);
        Assert.False(Directory.Exists(dir["run"]), "nothing may be written");
    }

    /// <summary>One README line run by bash in <paramref name="workingDirectory"/>, as a user would type it there.</summary>
    static CliResult Bash(string workingDirectory, string line)
    {
        var start = new ProcessStartInfo("/bin/bash") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(line);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout, stderr.Result);
    }

    [GeneratedRegex("```[a-z]*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
