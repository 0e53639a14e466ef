using System.Text.Json;
using System.Text.Json.Nodes;
using MemScore.Configuration;
using MemScore.Core;

namespace MemScore.Storage;

/// <summary>What a sweep is: the flags shared by every point and the levers varied (sweep.json).</summary>
internal sealed record SweepManifest(IReadOnlyList<string> BaseArguments, IReadOnlyList<SweepAxis> Axes)
{
    public IReadOnlyList<SweepPoint> Points => SweepGrid.Points(Axes);
}

/// <summary>
/// Layout of a sweep folder:
///   sweep.json                 base flags, levers and the points (name, settings, folders)
///   points/NAME/run            a normal run folder (resumable, `memscore report` works on it)
///   points/NAME/full           its `memscore full` folder (held-out log p(x))
///   report/index.html          the memorization-utility frontier across points
/// </summary>
internal sealed class SweepFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string ManifestPath => Path.Combine(Root, "sweep.json");
    public string ReportDirectory => Path.Combine(Root, "report");
    public static readonly IReadOnlySet<string> OwnEntries = new HashSet<string>(StringComparer.Ordinal) { "sweep.json", "points", "report" };

    public string RunPath(SweepPoint point) => Path.Combine(Root, "points", point.Name, "run");
    public string FullPath(SweepPoint point) => Path.Combine(Root, "points", point.Name, "full");

    /// <summary>
    /// Writes sweep.json on a first start; on a rerun, checks the flags and levers are those recorded
    /// (a changed sweep is refused naming what changed: its finished points would not belong to it).
    /// </summary>
    public void WriteOrCheck(SweepManifest manifest)
    {
        OutputFolder.RefuseForeign(Root, "sweep.json", OwnEntries.Contains, "MemScore sweep folder");
        if (File.Exists(ManifestPath))
        {
            var recorded = Read();
            string Flags(IEnumerable<string> a) => string.Join(" ", a);
            if (!recorded.BaseArguments.SequenceEqual(manifest.BaseArguments))
                throw new MemScoreException(ErrorKind.RunFolder, $"{ManifestPath}: records the flags '{Flags(recorded.BaseArguments)}', this sweep has '{Flags(manifest.BaseArguments)}'; rerun with the recorded flags or use a new --out");
            if (Describe(recorded.Axes) != Describe(manifest.Axes))
                throw new MemScoreException(ErrorKind.RunFolder, $"{ManifestPath}: records the levers {Describe(recorded.Axes)}, this sweep varies {Describe(manifest.Axes)}; rerun with the recorded levers or use a new --out");
            return;
        }
        WritableFolder.Ensure(Root, "sweep folder (--out)");
        AtomicFile.WriteAllText(ManifestPath, ToJson(manifest));
    }

    static string Describe(IEnumerable<SweepAxis> axes) => string.Join(" ", axes.Select(a => $"{a.Key}={string.Join(",", a.Values.Select(v => v ?? "none"))}"));

    string ToJson(SweepManifest manifest)
    {
        var points = new JsonArray();
        foreach (var point in manifest.Points)
        {
            var settings = new JsonObject();
            foreach (var (key, value) in point.Settings) settings[key] = value;   // a repeated key (model-option) keeps its last value here; the folder name has all
            points.Add(new JsonObject
            {
                ["name"] = point.Name,
                ["settings"] = settings,
                ["run"] = Path.GetRelativePath(Root, RunPath(point)),
                ["full"] = Path.GetRelativePath(Root, FullPath(point)),
            });
        }
        var root = new JsonObject
        {
            ["base_arguments"] = new JsonArray(manifest.BaseArguments.Select(a => (JsonNode?)a).ToArray()),
            ["axes"] = new JsonArray(manifest.Axes.Select(a => (JsonNode?)new JsonObject
            {
                ["key"] = a.Key,
                ["values"] = new JsonArray(a.Values.Select(v => (JsonNode?)v).ToArray()),
            }).ToArray()),
            ["points"] = points,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>sweep.json as written; a damaged file is refused naming the field.</summary>
    public SweepManifest Read()
    {
        if (!File.Exists(ManifestPath)) throw new InvalidInputException(ManifestPath, "not found; is this a `memscore sweep` folder?");
        try
        {
            var root = JsonNode.Parse(InputFile.ReadAllText(ManifestPath, ErrorKind.RunFolder, "a sweep manifest (JSON)")) as JsonObject
                       ?? throw Damaged("the file is not a JSON object");
            var arguments = (root["base_arguments"] as JsonArray ?? throw Damaged("'base_arguments' is missing, expected a list of strings"))
                .Select(a => a?.GetValue<string>() ?? throw Damaged("'base_arguments' holds null, expected strings")).ToArray();
            var axes = (root["axes"] as JsonArray ?? throw Damaged("'axes' is missing, expected a list of {key, values}")).Select(ParseAxis).ToArray();
            if (axes.Length == 0) throw Damaged("'axes' is empty, expected at least one lever");
            return new SweepManifest(arguments, axes);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Damaged($"not a valid sweep manifest ({e.Message})", e);
        }
    }

    SweepAxis ParseAxis(JsonNode? node)
    {
        var axis = node as JsonObject ?? throw Damaged("'axes' holds a non-object, expected {key, values}");
        string key = axis["key"]?.GetValue<string>() ?? throw Damaged("an axis has no 'key'");
        var values = (axis["values"] as JsonArray ?? throw Damaged($"axis '{key}' has no 'values' list")).Select(v => v?.GetValue<string>()).ToArray();
        if (values.Length == 0) throw Damaged($"axis '{key}' has no values");
        return new SweepAxis(key, values);
    }

    MemScoreException Damaged(string problem, Exception? inner = null) =>
        new(ErrorKind.RunFolder, $"{ManifestPath}: {problem}; sweep.json is damaged: restore it or choose a new --out", inner);
}
