using System.Diagnostics;
using System.Security.Cryptography;

namespace MemScore.Tests.Support;

/// <summary>
/// The TorchScript modules of Fixtures/make_torchscript_fixtures.py, written once per version of it and of the
/// example models by Debian's PyTorch (/usr/bin/python3 with python3-torch; ./test.sh installs it) into a
/// shared temp folder.
/// </summary>
public static class TorchScriptFixtures
{
    public const string Python = "/usr/bin/python3";

    public static string ExamplesFolder => Path.Combine(AppContext.BaseDirectory, "Examples", "torchscript");

    static readonly Lazy<(string? Folder, string? Problem)> Made = new(Make);

    /// <summary>Why the fixtures cannot be made here, or null.</summary>
    public static string? Unavailable => Made.Value.Problem;

    public static string File(string name) => Path.Combine(Made.Value.Folder ?? throw new InvalidOperationException(Unavailable), name);

    static (string?, string?) Make()
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_torchscript_fixtures.py");
        var sources = Directory.GetFiles(ExamplesFolder, "*.py").Order(StringComparer.Ordinal).Prepend(script);
        string version = Convert.ToHexString(SHA256.HashData(sources.SelectMany(System.IO.File.ReadAllBytes).ToArray()))[..16];
        string folder = Path.Combine(Path.GetTempPath(), "memscore-torchscript-fixtures-" + version);
        if (Directory.Exists(folder)) return (folder, null);
        string staging = folder + "-" + Guid.NewGuid().ToString("N")[..8];
        var (exit, output) = RunPython(script, ExamplesFolder, staging);
        if (exit != 0) return (null, $"{Python} {script} failed (exit {exit}; needs python3-torch): {output}");
        try { Directory.Move(staging, folder); }
        catch (IOException) when (Directory.Exists(folder)) { Directory.Delete(staging, recursive: true); }   // another test process won
        return (folder, null);
    }

    /// <summary>Runs /usr/bin/python3 with <paramref name="arguments"/>; exit code and stdout + stderr.</summary>
    public static (int Exit, string Output) RunPython(params string[] arguments)
    {
        if (!System.IO.File.Exists(Python)) return (-1, $"{Python} not found");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

/// <summary>A fact that needs the TorchScript fixtures; without Debian's PyTorch it is reported as skipped with the reason.</summary>
public sealed class TorchScriptFactAttribute : FactAttribute
{
    public TorchScriptFactAttribute()
    {
        if (TorchScriptFixtures.Unavailable is { } problem) Skip = "TorchScript fixtures unavailable: " + problem;
    }
}

/// <summary>The theory form of <see cref="TorchScriptFactAttribute"/>.</summary>
public sealed class TorchScriptTheoryAttribute : TheoryAttribute
{
    public TorchScriptTheoryAttribute()
    {
        if (TorchScriptFixtures.Unavailable is { } problem) Skip = "TorchScript fixtures unavailable: " + problem;
    }
}
