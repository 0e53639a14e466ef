using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>Opens a module file saved by torch.jit.script(model).save(path), refusing other files with the reason.</summary>
internal static class TorchScriptFile
{
    const string SaveHint = "save the model with torch.jit.script(model).save(path)";

    public static string Sha256(string path)
    {
        using var stream = InputFile.OpenRead(path, ErrorKind.InvalidInput, "a TorchScript module file");
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>The module, after checking that the file is a TorchScript archive (a zip with a code/ folder).</summary>
    public static jit.ScriptModule Load(string path)
    {
        CheckArchive(path);
        try
        {
            return jit.load(path);
        }
        catch (Exception e) when (e is ExternalException or ArgumentException or IOException or InvalidOperationException)
        {
            throw new InvalidInputException(path, $"libtorch could not load this TorchScript module ({FirstLine(e.Message)}); {SaveHint}", e);
        }
    }

    static void CheckArchive(string path)
    {
        string[] entries;
        try
        {
            using var stream = InputFile.OpenRead(path, ErrorKind.InvalidInput, "a TorchScript module file");
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            entries = zip.Entries.Select(e => e.FullName).ToArray();
        }
        catch (InvalidDataException)
        {
            throw new InvalidInputException(path, $"not a TorchScript module (not a zip archive; a legacy torch.save pickle looks like this too); {SaveHint}");
        }
        bool hasCode = entries.Any(e => e.Contains("/code/", StringComparison.Ordinal));
        if (hasCode) return;
        bool pickled = entries.Any(e => e.EndsWith("/data.pkl", StringComparison.Ordinal));
        throw new InvalidInputException(path, pickled
            ? $"a torch.save pickle (weights or a whole nn.Module), not a TorchScript module: it holds no code/ folder; {SaveHint}"
            : $"a zip archive without a code/ folder, not a TorchScript module; {SaveHint}");
    }

    internal static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>
    /// The line that says what went wrong in a TorchScript interpreter error: its last "...Error: ..." line
    /// (the first line is only "The following operation failed in the TorchScript interpreter.").
    /// </summary>
    internal static string Cause(string message) =>
        message.Split('\n').Select(l => l.Trim()).LastOrDefault(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^[A-Za-z.]*Error: ")) ?? FirstLine(message);
}
