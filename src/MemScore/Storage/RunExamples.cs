using MemScore.Core;

namespace MemScore.Storage;

/// <summary>
/// examples.npz, written with plan.json: each example's source index and label, so that reading a run
/// (aggregate, report numbers) needs no data. Run folders made before it lack the file (null from
/// <see cref="TryRead"/>); their readers load the data once instead.
/// </summary>
internal sealed record RunExamples(int[] Labels, int[] SourceIndices)
{
    public static string PathIn(RunFolder folder) => Path.Combine(folder.Root, "examples.npz");

    public void Write(RunFolder folder) => Npz.Write(PathIn(folder), new Dictionary<string, NpyArray>
    {
        ["index"] = NpyArray.FromInt64(SourceIndices.Select(i => (long)i).ToArray()),
        ["label"] = NpyArray.FromInt64(Labels.Select(l => (long)l).ToArray()),
    });

    /// <summary>The examples of a run of <paramref name="count"/> examples, or null when the folder has no examples.npz.</summary>
    public static RunExamples? TryRead(RunFolder folder, int count)
    {
        string path = PathIn(folder);
        if (!File.Exists(path)) return null;
        var arrays = Npz.Read(path, maxBytes: 64L * count + (1 << 16));
        int[] Column(string name)
        {
            if (!arrays.TryGetValue(name, out var array) || array.Shape.Length != 1 || array.Shape[0] != count)
                throw new MemScoreException(ErrorKind.RunFolder, $"{path}: '{name}' must hold {count} values (one per example of run.json); the file is damaged: delete it (`memscore plan` or `run` on this folder writes it again)");
            return array.ToInt64().Select(v => checked((int)v)).ToArray();
        }
        return new RunExamples(Column("label"), Column("index"));
    }
}
