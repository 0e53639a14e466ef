using System.Text.RegularExpressions;

namespace MemScore.Models.TorchScript;

/// <summary>
/// The model-options of the torchscript family: which module file, its SHA-256 (filled in when the config
/// is resolved, so a different file is a different run and config hash), what input it expects, and where
/// its initial weights come from.
/// </summary>
internal sealed partial record TorchScriptOptions
{
    /// <summary>The module saved by torch.jit.script(model).save(path) (model-options.path).</summary>
    public string? Path { get; init; }

    /// <summary>Lower-case hex SHA-256 of the file; filled in from the file when the config is resolved.</summary>
    public string? Sha256 { get; init; }

    /// <summary>binary, dequantized or discrete-8bit (<see cref="InputKindNames"/>); default binary.</summary>
    public string Input { get; init; } = "binary";

    /// <summary>"reset": fresh seeded weights per task; "file": every task starts from the weights saved in the file.</summary>
    public string Init { get; init; } = "reset";

    public static readonly string[] InitModes = ["reset", "file"];

    public static readonly string[] InputNames = Enum.GetValues<InputKind>().Select(InputKindNames.ToName).ToArray();

    public InputKind InputKind => InputKindNames.Parse(Input, "model-options.input");

    public bool InitFromFile => Init == "file";

    /// <summary>The model-options that give these settings (for configs built in code).</summary>
    public ModelOptionValues ToValues()
    {
        var values = ModelOptionValues.Empty.With("input", Input).With("init", Init);
        if (Path is not null) values = values.With("path", Path);
        return Sha256 is null ? values : values.With("sha256", Sha256);
    }

    public static bool IsSha256(string text) => Sha256Text().IsMatch(text);

    /// <summary>The refusal of a module file that is not the one this config was made with, naming both hashes (empty when it is, or when no hash is recorded).</summary>
    public IEnumerable<string> FileProblems()
    {
        if (Sha256 is null || Path is null || !File.Exists(Path)) yield break;
        string actual = TorchScriptFile.Sha256(Path);
        if (actual != Sha256)
            yield return $"model-options.path = {Path}: the file's SHA-256 is {actual}, not the {Sha256} this run was made with " +
                         "(model-options.sha256; the module changed: a different file is a different run; use a new --out)";
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Text();
}
