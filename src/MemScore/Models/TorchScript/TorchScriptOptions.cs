using System.Text.Json.Serialization;
using MemScore.Core;

namespace MemScore.Models.TorchScript;

/// <summary>
/// The "torchscript" part of a config: which module file, its SHA-256 (so a different file is a
/// different run and config hash), what input it expects, and where its initial weights come from.
/// </summary>
public sealed record TorchScriptOptions
{
    /// <summary>The module saved by torch.jit.script(model).save(path) (--model-file).</summary>
    public string Path { get; init; } = "";

    /// <summary>Lower-case hex SHA-256 of the file; filled in from the file when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sha256 { get; init; }

    /// <summary>binary, dequantized or discrete-8bit (<see cref="InputKindNames"/>; --model-input); default binary.</summary>
    public string Input { get; init; } = "binary";

    /// <summary>"reset": fresh seeded weights per task; "file": every task starts from the weights saved in the file (--model-init).</summary>
    public string Init { get; init; } = "reset";

    public static readonly string[] InitModes = ["reset", "file"];

    public InputKind InputKind => InputKindNames.Parse(Input, "torchscript.input");

    public bool InitFromFile => Init == "file";

    /// <summary>The same options with the SHA-256 of the file at <see cref="Path"/> (an unreadable file is refused naming it).</summary>
    public TorchScriptOptions WithFileHash() => this with { Sha256 = TorchScriptFile.Sha256(Path) };

    /// <summary>Messages naming the field and value for every invalid setting (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Path)) yield return "torchscript.path = \"\": expected the module file (--model-file)";
        if (!Enum.GetValues<InputKind>().Any(k => InputKindNames.ToName(k) == Input))
            yield return $"torchscript.input = {Input}: expected binary, dequantized or discrete-8bit";
        if (!InitModes.Contains(Init)) yield return $"torchscript.init = {Init}: expected reset or file";
        if (Sha256 is not null && !string.IsNullOrWhiteSpace(Path) && File.Exists(Path) && TorchScriptFile.Sha256(Path) != Sha256)
            yield return $"torchscript.path = {Path}: the file's SHA-256 is {TorchScriptFile.Sha256(Path)}, not the {Sha256} this run was made with " +
                         "(the module changed: a different file is a different run; use a new --out)";
    }
}
