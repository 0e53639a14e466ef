using System.Diagnostics;
using System.Globalization;
using MemScore.Tests.Support;

namespace MemScore.Tests.Packaging;

/// <summary>
/// Issue 15 item 4: `dotnet pack` makes the library package and the CLI as a .NET tool; the tool installs from a
/// local folder feed into a temporary tool path and runs (native libtorch included) without the build tree.
/// </summary>
[Trait("Tier", "EndToEnd")]
public class ToolPackageTests
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    Dictionary<string, string> _environment = [];

    [Fact]
    public void The_packed_tool_installs_from_a_local_feed_and_runs_models_and_a_tiny_run()
    {
        string root = RepositoryRoot();
        using var dir = new TempDirectory();
        foreach (string project in new[] { "src/MemScore/MemScore.csproj", "src/MemScore.Cli/MemScore.Cli.csproj" })
            Expect(Dotnet(root, "pack", Path.Combine(root, project), "-c", Configuration, "--no-build", "-o", dir["feed"]));
        Assert.True(File.Exists(dir["feed/MemScore.0.2.0.nupkg"]), string.Join(", ", Directory.GetFiles(dir["feed"])));
        Assert.True(File.Exists(dir["feed/MemScore.Tool.0.2.0.nupkg"]), string.Join(", ", Directory.GetFiles(dir["feed"])));

        // A private NuGet package folder: the user-wide one would keep an earlier MemScore.Tool 0.2.0 and install that instead.
        _environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = dir["packages"] };
        Expect(Dotnet(dir.Path, "tool", "install", "MemScore.Tool", "--version", "0.2.0", "--tool-path", dir["tools"], "--add-source", dir["feed"], "--ignore-failed-sources"));
        string memscore = dir["tools/memscore"];
        var models = Run(dir.Path, memscore, "models");
        Expect(models);
        Assert.Contains("torchscript", models.Output);
        Assert.Contains("bernoulli-mlp-vae", models.Output);

        Expect(Run(dir.Path, memscore, "run", "--limit", "40", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "2",
            "--device", "cpu", "--out", dir["run"]));
        var lines = File.ReadAllLines(dir["run/scores.csv"]);
        Assert.Equal(41, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.True(double.IsFinite(double.Parse(line.Split(',')[4], CultureInfo.InvariantCulture)), line));
    }

    static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "MemScore.slnx"))) return folder.FullName;
        throw new InvalidOperationException($"no MemScore.slnx above {AppContext.BaseDirectory}");
    }

    static void Expect((int Exit, string Output) result) => Assert.True(result.Exit == 0, result.Output);

    (int Exit, string Output) Dotnet(string workingDirectory, params string[] args) => Run(workingDirectory, "dotnet", args);

    (int Exit, string Output) Run(string workingDirectory, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in _environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, $"{program} {string.Join(' ', args)}\n{stdout.Result}\n{stderr.Result}");
    }
}
