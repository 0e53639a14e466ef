using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MemScore.Core;
using MemScore.Reporting.Figures;
using MemScore.Storage;

namespace MemScore.Reporting.Explorer;

/// <summary>
/// The example explorer's files in report/explorer/: data.js (every example's numbers, each model's
/// log p(x_i) at the last evaluation, M at every evaluation epoch; little-endian typed arrays in
/// base64, loaded as a script so the page works from file://), thumbnail sheets (PNG, one per
/// <see cref="PerSheet"/> examples), and the page's script and style. With a full run, data.js also holds
/// each example's nearest training and generated images (<see cref="ExplorerNeighbours"/>) and the
/// generated images get sheets of their own (samples_S.png).
/// </summary>
internal static class ExplorerData
{
    public const int PerSheet = 1000, SheetColumns = 40;

    /// <summary>Writes the explorer's files; returns the HTML that places the explorer on the page.</summary>
    public static string Write(string reportDirectory, RunContext context, ReportNumbers n, ExplorerNeighbours? neighbours = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(n);
        string dir = Path.Combine(reportDirectory, "explorer");
        Directory.CreateDirectory(dir);
        var sheets = WriteSheets(dir, "sheet", ImageTiles.Read(context, Enumerable.Range(0, n.Count).ToArray()));
        var data = Data(context, n, sheets);
        if (neighbours is not null) data["neighbours"] = NeighbourData(neighbours, WriteSheets(dir, "samples", neighbours.GeneratedImages));
        AtomicFile.WriteAllText(Path.Combine(dir, "data.js"), "window.MEMSCORE_EXPLORER = " + JsonSerializer.Serialize(data) + ";\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "explorer.js"), Resource("explorer.js"));
        AtomicFile.WriteAllText(Path.Combine(dir, "explorer.css"), Resource("explorer.css"));
        return "<h2 id=\"explorer\">Explore every example</h2><p>Click a column to sort, filter by label or a range of M, search an index; " +
               "click a row for the image, every model's log p(x) and M over training" +
               (neighbours is null ? "" : ", and its nearest training and generated images") + ".</p><div id=\"memscore-explorer\"></div>";
    }

    public static string Head => "<link rel=\"stylesheet\" href=\"explorer/explorer.css\">";

    public static string Scripts => "<script src=\"explorer/data.js\"></script><script src=\"explorer/explorer.js\"></script>";

    static string Resource(string name)
    {
        using var stream = typeof(ExplorerData).Assembly.GetManifestResourceStream($"MemScore.Reporting.{name}")
            ?? throw new InvalidOperationException($"explorer resource {name} is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    sealed record Sheets(string[] Files, int Width, int Height);

    /// <summary>Sheets of <see cref="PerSheet"/> images, PREFIX_S.png, encoded and written in parallel.</summary>
    static Sheets WriteSheets(string dir, string prefix, ExamplePixels[] images)
    {
        var starts = Enumerable.Range(0, (images.Length + PerSheet - 1) / PerSheet).Select(s => s * PerSheet).ToArray();
        var files = starts.Select((_, s) => $"{prefix}_{s}.png").ToArray();
        Parallel.For(0, starts.Length, s => AtomicFile.WriteAllBytes(Path.Combine(dir, files[s]),
            ImageTiles.Sheet(images.AsSpan(starts[s], Math.Min(PerSheet, images.Length - starts[s])).ToArray(), SheetColumns)));
        return new Sheets(files, images[0].Width, images[0].Height);
    }

    static Dictionary<string, object> SheetData(Sheets sheets) =>
        new() { ["files"] = sheets.Files, ["per"] = PerSheet, ["columns"] = SheetColumns, ["width"] = sheets.Width, ["height"] = sheets.Height };

    static Dictionary<string, object> NeighbourData(ExplorerNeighbours neighbours, Sheets sheets) => new()
    {
        ["k"] = neighbours.K,
        ["generated"] = neighbours.Generated,
        ["trainingRow"] = Base64<int>(neighbours.TrainingRow),
        ["trainingDistance"] = Base64<float>(neighbours.TrainingDistance),
        ["sample"] = Base64<int>(neighbours.Sample),
        ["sampleDistance"] = Base64<float>(neighbours.SampleDistance),
        ["sheets"] = SheetData(sheets),
    };

    static Dictionary<string, object?> Data(RunContext context, ReportNumbers n, Sheets sheets)
    {
        var scores = n.Scores;
        var inference = n.Inference;
        int count = n.Count, epochs = scores.EvaluationEpochs.Length;
        var results = n.Results.OrderBy(r => r.Task.Repeat).ThenBy(r => r.Task.Fold).ToArray();
        int last = epochs - 1;
        var logp = new float[results.Length * count];
        for (int k = 0; k < results.Length; k++)
            for (int i = 0; i < count; i++) logp[k * count + i] = (float)results[k].LogLikelihoods[last][i];
        var foldOf = new byte[context.Plan.Repeats * count];
        for (int r = 0; r < context.Plan.Repeats; r++)
            for (int i = 0; i < count; i++) foldOf[r * count + i] = (byte)context.Plan.FoldOf(r, i);
        var byEpoch = new float[count * epochs];
        for (int i = 0; i < count; i++)
            for (int e = 0; e < epochs; e++) byEpoch[i * epochs + e] = (float)scores.M(i, e);
        var data = new Dictionary<string, object?>
        {
            ["count"] = count,
            ["epochs"] = scores.EvaluationEpochs,
            ["estimator"] = Analysis.Estimators.Name(n.Estimator),
            ["intervalLevel"] = inference is null || double.IsNaN(inference.IntervalLevel) ? null : inference.IntervalLevel,
            ["q95"] = double.IsFinite(n.Q95) ? n.Q95 : null,
            ["index"] = Base64<int>(scores.SourceIndices),
            ["label"] = Base64<int>(scores.Labels),
            ["m"] = Base64<double>(n.M),
            ["u"] = Floats(n.U),
            ["v"] = Floats(n.V),
            ["lo"] = inference is null ? null : Floats(inference.Lower),
            ["hi"] = inference is null ? null : Floats(inference.Upper),
            ["q"] = inference is null ? null : Floats(inference.Q),
            ["mByEpoch"] = Base64<float>(byEpoch),
            ["models"] = results.Select(r => new[] { r.Task.Repeat, r.Task.Fold }).ToArray(),
            ["logp"] = Base64<float>(logp),
            ["foldOf"] = Convert.ToBase64String(foldOf),
            ["sheets"] = SheetData(sheets),
        };
        return data;
    }

    static string Floats(double[] values) => Base64<float>(values.Select(v => (float)v).ToArray());

    /// <summary>The values' bytes in this machine's order (little-endian on every platform .NET runs on here), as base64.</summary>
    static string Base64<T>(T[] values) where T : struct => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));
}
