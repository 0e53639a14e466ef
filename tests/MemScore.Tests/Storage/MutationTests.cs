using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

/// <summary>
/// Property: random byte mutations of valid files never escape the readers as anything but a
/// clear input error (MemScoreException) or a successful read. 300 seeded mutations per format:
/// flipped bytes, truncation, inserted and deleted runs.
/// </summary>
public class MutationTests
{
    const int Mutations = 300;

    static byte[] Mutate(byte[] original, SplitMix64 rng)
    {
        var bytes = new List<byte>(original);
        int edits = 1 + rng.NextInt(4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = rng.NextInt(bytes.Count);
            switch (rng.NextInt(4))
            {
                case 0: bytes[at] = (byte)rng.NextInt(256); break;
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;
                case 2: bytes.InsertRange(at, Enumerable.Range(0, 1 + rng.NextInt(16)).Select(_ => (byte)rng.NextInt(256))); break;
                default: bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + rng.NextInt(16))); break;
            }
        }
        return bytes.ToArray();
    }

    static void AssertOnlyCleanFailures(string format, byte[] valid, Action<string> read, long seed)
    {
        using var dir = new TempDirectory();
        var rng = new SplitMix64(seed);
        int rejected = 0;
        for (int i = 0; i < Mutations; i++)
        {
            string path = dir[$"m{i}"];
            File.WriteAllBytes(path, Mutate(valid, rng));
            try { read(path); }
            catch (MemScoreException e)
            {
                Assert.Contains(path, e.Message);
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{format} mutation {i} (seed {seed}) escaped as {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(rejected > Mutations / 4, $"{format}: only {rejected} of {Mutations} mutations were rejected; the mutator is too weak");
    }

    [Fact]
    public void Idx_files()
    {
        using var s = new MemoryStream();
        new IdxFile([5, 6, 7], Enumerable.Range(0, 210).Select(i => (byte)i).ToArray()).WriteTo(s);
        AssertOnlyCleanFailures("idx", s.ToArray(), p => IdxFile.Read(p), 1);
    }

    [Fact]
    public void Task_result_npz()
    {
        using var dir = new TempDirectory();
        TaskResultFile.Write(dir["t.npz"], new TaskResult(new TaskId(1, 2), "abc", [1, 2], [[-1.0, -2, -3], [-4.0, -5, -6]], [0, 2], [3.0, 2.0], 1.5));
        AssertOnlyCleanFailures("task npz", File.ReadAllBytes(dir["t.npz"]), p => TaskResultFile.Read(p), 2);
    }

    [Fact]
    public void Task_result_npz_with_evaluated_rows()
    {
        using var dir = new TempDirectory();
        double gap = double.NaN;
        TaskResultFile.Write(dir["t.npz"], new TaskResult(new TaskId(1, 2), "abc", [1, 2], [[-1.0, gap, -3], [-4.0, gap, -6]], [0], [3.0, 2.0], 1.5,
            Evaluated: [0, 2]));
        AssertOnlyCleanFailures("task npz (evaluated)", File.ReadAllBytes(dir["t.npz"]), p => TaskResultFile.Read(p), 5);
    }

    [Fact]
    public void Run_manifest_json()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["run.json"], RunManifest.Create(new ExperimentConfig { Threads = 2 }, "hash", 10, [1, 32, 32], MemScore.Models.InputKind.Binary).ToJson());
        RunManifest.Read(dir["run.json"]);
        AssertOnlyCleanFailures("run.json", File.ReadAllBytes(dir["run.json"]), p => RunManifest.Read(p), 3);
    }

    [Fact]
    public void Config_json()
    {
        byte[] valid = System.Text.Encoding.UTF8.GetBytes(new ExperimentConfig { Threads = 2, Limit = 100 }.ToJson());
        AssertOnlyCleanFailures("config", valid, p => ExperimentConfig.FromJsonFile(p), 4);
    }
}
