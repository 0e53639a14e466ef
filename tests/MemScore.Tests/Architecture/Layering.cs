namespace MemScore.Tests.Architecture;

/// <summary>
/// Library folders in layers, lowest first (docs/ARCHITECTURE.md). A folder may depend only on folders
/// in strictly lower layers: not on its own layer's other folders, not upward.
/// </summary>
public sealed class Layering(IReadOnlyList<string[]> layers)
{
    public static readonly Layering Library = new([
        ["Core"],
        ["Data", "Likelihood", "Memorization"],
        ["Models", "Analysis"],
        ["Configuration"],
        ["Storage"],
        ["Training"],
        ["Execution", "Reporting", "Benchmarks"],
        ["Api"],
    ]);

    readonly Dictionary<string, int> _layerOf = layers
        .SelectMany((folders, layer) => folders.Select(f => (f, layer)))
        .ToDictionary(x => x.f, x => x.layer);

    public IEnumerable<string> Folders => _layerOf.Keys;

    /// <summary>Every edge that does not point strictly downward, or that touches a folder in no layer.</summary>
    public IReadOnlyList<string> Violations(IEnumerable<FolderEdge> edges) => edges
        .Where(e => !_layerOf.TryGetValue(e.From, out int from) || !_layerOf.TryGetValue(e.To, out int to) || to >= from)
        .Select(e => $"{e} ({Describe(e)})")
        .ToList();

    string Describe(FolderEdge e) =>
        !_layerOf.ContainsKey(e.From) ? $"folder {e.From} is in no layer"
        : !_layerOf.ContainsKey(e.To) ? $"folder {e.To} is in no layer"
        : _layerOf[e.To] == _layerOf[e.From] ? "same layer"
        : "upward";
}
