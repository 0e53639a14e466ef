using System.Text.Json.Nodes;

namespace MemScore.Tests.Support;

/// <summary>
/// A theory compared against digests recorded on one CPU. libtorch picks its vector kernels by the
/// CPU's instruction sets (AVX2 vs AVX-512), and float results differ in the last bits between
/// them, so on a CPU whose vector features differ from the recording the theory is reported as
/// skipped with both signatures, never silently passed. Re-record there with
/// MEMSCORE_RECORD_FIXTURE (see the test) to check bit-identity on that CPU.
/// </summary>
public sealed class SameCpuTheoryAttribute : TheoryAttribute
{
    public SameCpuTheoryAttribute(string fixtureName)
    {
        if (Environment.GetEnvironmentVariable("MEMSCORE_RECORD_FIXTURE") is { Length: > 0 }) return;
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fixtureName);
        string recorded = JsonNode.Parse(File.ReadAllText(path))?["cpu_signature"]?.GetValue<string>() ?? "unrecorded";
        string here = CpuSignature.Current;
        if (recorded != here) Skip = $"reference digests were recorded on a CPU with '{recorded}', this one has '{here}'";
    }
}

/// <summary>The CPU facts that decide libtorch's float kernels: vendor model and vector extensions.</summary>
public static class CpuSignature
{
    static readonly string[] VectorFlags = ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_vnni"];

    public static string Current { get; } = Read();

    static string Read()
    {
        if (!File.Exists("/proc/cpuinfo")) return "unknown";
        var lines = File.ReadLines("/proc/cpuinfo").Take(64).ToArray();
        string model = Field(lines, "model name") ?? "unknown";
        var flags = (Field(lines, "flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        return model + "; " + string.Join(' ', VectorFlags.Where(flags.Contains));
    }

    static string? Field(string[] lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
}
