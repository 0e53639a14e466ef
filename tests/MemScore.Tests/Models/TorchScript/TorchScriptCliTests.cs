using System.Globalization;
using System.Text.RegularExpressions;
using MemScore.Tests.Support;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>The torchscript family through the real CLI, starting with README's walk-through as written.</summary>
[Collection(ProcessGlobalState.Name)]
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

    [TorchScriptFact]
    public void Readme_walk_through_runs_as_written_and_a_changed_module_file_is_a_different_run()
    {
        var (python, commands) = WalkThrough();
        Assert.Equal(File.ReadAllText(Path.Combine(TorchScriptFixtures.ExamplesFolder, "mlp_vae.py")), python);
        using var dir = new TempDirectory();
        File.WriteAllText(dir["mlp_vae.py"], python);
        string[] save = Words(commands[0]);
        Assert.Equal(["/usr/bin/python3", "mlp_vae.py", "mlp_vae.pt"], save);
        var saved = TorchScriptFixtures.RunPython(dir["mlp_vae.py"], dir["mlp_vae.pt"]);
        Assert.True(saved.Exit == 0, saved.Output);

        string[] run = Words(commands[1]);
        Assert.Equal("./memscore", run[0]);
        string[] args = [.. run[1..].Select(a => a == "path=mlp_vae.pt" ? "path=" + dir["mlp_vae.pt"] : a), "--out", dir["run"]];
        var result = CliProcess.Run(args);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = File.ReadAllLines(dir["run/scores.csv"]);
        Assert.Equal(501, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.True(double.IsFinite(double.Parse(line.Split(',')[4], CultureInfo.InvariantCulture)), line));
        Assert.Contains(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(dir["mlp_vae.pt"]))).ToLowerInvariant(),
            File.ReadAllText(dir["run/run.json"]));

        string reader = ReadResultsSnippet().Replace("runs/my-run", dir["run"]);
        File.WriteAllText(dir["read.py"], reader);
        var read = TorchScriptFixtures.RunPython(dir["read.py"]);
        Assert.True(read.Exit == 0, read.Output);
        Assert.Contains("[", read.Output);

        File.Copy(TorchScriptFixtures.File("mlp_vae_other.pt"), dir["mlp_vae.pt"], overwrite: true);
        var changed = CliProcess.Run(args);
        Assert.Equal(4, changed.ExitCode);
        Assert.Contains("model-options", changed.StdErr);
        Assert.Contains("sha256", changed.StdErr);
    }

    /// <summary>A scripted DC-VAE with batch norm and no reset_parameters (default init rules) through `run` and `full`.</summary>
    [TorchScriptFact]
    public void Scripted_dc_vae_with_batch_norm_runs_through_run_and_full()
    {
        using var dir = new TempDirectory();
        string module = TorchScriptFixtures.File("dc_vae.pt");
        string[] common = ["--model", "torchscript", "--model-option", "path=" + module, "--limit", "200", "--epochs", "1", "--is-samples", "4", "--threads", "1"];
        var run = CliProcess.Run(["run", .. common, "--folds", "2", "--repeats", "1", "--out", dir["run"]]);
        Assert.True(run.ExitCode == 0, run.StdErr);
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

    static string[] Words(string line) => line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex("```[a-z]*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
