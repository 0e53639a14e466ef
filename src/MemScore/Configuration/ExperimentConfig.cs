using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MemScore.Core;
using MemScore.Models;

namespace MemScore.Configuration;

/// <summary>
/// Every setting that affects a run's results. Defaults are the quick preset for the embedded 10k
/// digits (finishes in minutes on 2 cores); the paper's settings are in METHOD.md section 4.
/// Where the output goes is deliberately not part of it.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>Dataset name from the registry (--dataset).</summary>
    public string Dataset { get; init; } = "mnist-sample";
    /// <summary>Folder or file for datasets that read user files (--data-dir).</summary>
    public string? DataDir { get; init; }
    /// <summary>Use a seeded random subset of this many examples (--limit); null = all.</summary>
    public int? Limit { get; init; }
    /// <summary>Model family name from the registry (--model).</summary>
    public string Model { get; init; } = "bernoulli-mlp-vae";
    /// <summary>K: folds per repeat (--folds).</summary>
    public int Folds { get; init; } = 5;
    // Defaults K = 5, L = 5, 60 epochs, evaluated at the last: measured on 1,000 digits, a second training
    // seed ranks M at Spearman 0.87 (predicted 0.86); at 10 epochs 0.15 (bench/reliability, sections a and c).
    /// <summary>L: repeats, each with a fresh random fold split (--repeats).</summary>
    public int Repeats { get; init; } = 5;
    /// <summary>Training epochs per model (--epochs).</summary>
    public int Epochs { get; init; } = 60;
    /// <summary>Evaluate log p(x) every this many epochs; the last epoch is always evaluated (--eval-every).</summary>
    public int EvalEvery { get; init; } = 60;
    /// <summary>Adam learning rate (--lr).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Training minibatch size (--batch-size).</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Latent dimension of VAE models (--latent-dim).</summary>
    public int LatentDim { get; init; } = 16;
    /// <summary>S: importance samples per example for log p(x) (--is-samples).</summary>
    public int ImportanceSamples { get; init; } = 64;
    /// <summary>Examples per importance-sampling batch (--eval-batch-size); affects the noise layout, so part of the config.</summary>
    public int EvalBatchSize { get; init; } = 128;
    /// <summary>Root seed; every random consumer derives its own generator from it (--seed).</summary>
    public long Seed { get; init; } = 42;
    /// <summary>
    /// Intra-op CPU threads per model; results are bit-identical only for the same value (PLATFORM.md)
    /// (--threads). Default 1: `memscore run` then trains as many tasks at once as there are cores
    /// (<see cref="Execution.ExecutionRule"/>), which was faster than one task on all cores
    /// (bench/RESULTS.md, "Executor choice"), and default results are the same on any CPU count.
    /// </summary>
    public int Threads { get; init; } = 1;
    /// <summary>"fixed": train on the same seeded binarization that is scored; "dynamic": redraw every epoch (--train-binarization).</summary>
    public string TrainBinarization { get; init; } = "fixed";
    /// <summary>Zero-pad images symmetrically up to this side length (MNIST 28 -> 32) (--pad-to); 0 = no padding.</summary>
    public int PadTo { get; init; } = 32;
    /// <summary>Flip each training image horizontally with probability 1/2, drawn per image and epoch (--flip); evaluation never flips.</summary>
    public bool Flip { get; init; }
    /// <summary>"auto" (CUDA when usable, else CPU), "cpu" or "cuda" (--device); the device used is recorded in run.json.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>
    /// Cheaper estimator (--in-models M): U_i from M seeded in-models per example instead of all
    /// L(K-1); null = all (the default). Left out of the JSON when null, so configs without it keep
    /// their hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? InModels { get; init; }

    /// <summary>
    /// Train the K fold models of each repeat as one batched network (--fold-ensembles; Bernoulli
    /// MLP VAE only). Equal to separate training up to float round-off, not bit for bit, so it is
    /// part of the hash; left out of the JSON when false, so configs without it keep their hash.
    /// On CPU it is slower (bench/ensemble.md); meant for GPUs.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool FoldEnsembles { get; init; }

    /// <summary>
    /// Decoupled weight decay wd of Adam (--weight-decay; AdamW: every step first shrinks the weights by 1 - lr wd),
    /// a lever that limits memorization. Left out of the JSON when 0, so configs without it keep their hash and results.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public double WeightDecay { get; init; }

    /// <summary>
    /// Remove near-duplicate training examples before the folds are drawn (--dedup THRESHOLD): root-mean-square
    /// distance per pixel of the 2x down-sampled grey-level images in [0, 1], after --limit; the first of each group
    /// is kept (<see cref="Analysis.NearDuplicates"/>), the rest listed in dedup.csv. Left out of the JSON when null
    /// (no deduplication), so configs without it keep their hash.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Dedup { get; init; }

    /// <summary>
    /// DP-SGD (README, "Limiting memorization"): on when dp-noise-multiplier or dp-epsilon is set; dp-clip is the per-example
    /// clip norm C (default 1), dp-delta the delta epsilon is reported at (default 1e-5). Each is left out of the JSON when
    /// absent, so configs without them keep their hash and results. <see cref="Training.Privacy.DpSgdPlan"/> resolves them.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DpNoiseMultiplier { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DpEpsilon { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DpClip { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DpDelta { get; init; }

    /// <summary>True when the models train with DP-SGD.</summary>
    public bool IsPrivate() => DpNoiseMultiplier is not null || DpEpsilon is not null;

    /// <summary>
    /// The model family's own options (--model-option KEY=VALUE; `memscore models` lists them), e.g.
    /// {"feature-maps": 16}; keys not given take the family's defaults. How it enters the hash: <see cref="ConfigLayout"/>.
    /// </summary>
    public ModelOptionValues ModelOptions { get; init; } = ModelOptionValues.Empty;

    /// <summary>What a model of this config is built from: input shape and init seed from the caller, the rest from here.</summary>
    public ModelContext ModelContextFor(long[] inputShape, long initSeed) =>
        new(inputShape, LatentDim, LearningRate, ImportanceSamples, initSeed, ComputeDevice.Resolve(Device)) { Options = ModelOptions, WeightDecay = WeightDecay };

    /// <summary>All cores: the default thread count of single-model commands (`memscore full`, `memscore bench`).</summary>
    public static int AllCores() => Math.Max(1, Environment.ProcessorCount);

    public static readonly string[] TrainBinarizationModes = ["fixed", "dynamic"];

    /// <summary>Epochs (1-based) after which log p(x) is evaluated.</summary>
    public int[] EvaluationEpochs()
    {
        var epochs = new SortedSet<int>();
        for (int e = EvalEvery; e <= Epochs; e += EvalEvery) epochs.Add(e);
        epochs.Add(Epochs);
        return epochs.ToArray();
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // "dataset": null and the like are refused at the field ($.dataset) instead of failing later without a name.
        RespectNullableAnnotations = true,
    };

    /// <summary>
    /// Flags spelled differently from their config field (README: config fields are named like the flags):
    /// a config may use either name; both with different values is refused, naming both.
    /// </summary>
    public static readonly IReadOnlyList<(string Flag, string Field)> FlagSpellings = [("is-samples", "importance-samples"), ("lr", "learning-rate")];

    /// <summary>The JSON with flag spellings renamed to their fields; text that is not a JSON object is returned as is (the serializer reports it).</summary>
    static string WithFieldNames(string json, string path)
    {
        JsonObject config;
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o) return json;
            config = o;
            _ = config.Count;   // materializes the properties: duplicate names throw here
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException) { return json; }
        bool renamed = ConfigLayout.MoveFlatModelOptions(config, path);
        foreach (var (flag, field) in FlagSpellings)
        {
            if (!config.TryGetPropertyValue(flag, out var value)) continue;
            if (config.TryGetPropertyValue(field, out var other) && !JsonNode.DeepEquals(value, other))
                throw new InvalidInputException(path, $"invalid config: \"{flag}\" = {value?.ToJsonString() ?? "null"} and \"{field}\" = {other?.ToJsonString() ?? "null"} " +
                                                      "set the same field to different values; give one of them");
            config.Remove(flag);
            if (!config.ContainsKey(field)) config[field] = value;
            renamed = true;
        }
        return renamed ? config.ToJsonString() : json;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// SHA-256 of the canonical JSON under the model's results scheme (<see cref="ModelRegistry.ResultsSchemeOf"/>): equal hashes mean
    /// equal results-affecting settings and rules. Scheme 1 hashes the JSON alone (as every folder made
    /// before schemes were versioned did); later schemes prefix "memscore-results-scheme N\n". The JSON is
    /// spelled in the config layout that can hold the model options (<see cref="ConfigLayout.HashedText"/>).
    /// </summary>
    public string Hash() => Hash(ModelRegistry.ResultsSchemeOf(Model));

    /// <inheritdoc cref="Hash()"/>
    public string Hash(int scheme)
    {
        if (scheme < ResultsScheme.Unrecorded) throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "results schemes start at 1");
        string json = ConfigLayout.HashedText(this);
        string text = scheme == ResultsScheme.Unrecorded ? json : $"memscore-results-scheme {scheme}\n{json}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant()[..16];
    }

    /// <summary>Reads a JSON config; unknown fields, wrong types, null for a required field and NaN are errors naming the file and field.
    /// Fields may also be spelled like their flags (<see cref="FlagSpellings"/>), and model options as the flat fields of
    /// earlier versions (<see cref="ConfigLayout.FlatModelOptions"/>).</summary>
    public static ExperimentConfig FromJsonFile(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException(path, "config file not found");
        return FromJson(InputFile.ReadAllText(path, ErrorKind.InvalidInput, "a JSON config"), path);
    }

    /// <summary>The config of JSON text (a config file, or the "config" of run.json); <paramref name="path"/> names it in errors.</summary>
    public static ExperimentConfig FromJson(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ExperimentConfig>(WithFieldNames(json, path), JsonOptions)
                ?? throw new InvalidInputException(path, "config is 'null'; expected a JSON object");
        }
        catch (JsonException e)
        {
            string where = e.Path is null ? "" : $" at '{e.Path}'";
            // RespectNullableAnnotations says "...doesn't allow setting null values. Consider updating its nullability annotation."
            string problem = e.Message.Contains("doesn't allow setting null values", StringComparison.Ordinal)
                ? "null is not a value of this field (leave the field out for its default)" : e.Message;
            throw new InvalidInputException(path, $"invalid config{where}: {problem}", e);
        }
    }

    /// <summary>Names of the fields whose values differ, with both values (for resume refusals).</summary>
    public IReadOnlyList<string> DiffAgainst(ExperimentConfig other)
    {
        using var mine = JsonDocument.Parse(ToJson());
        using var theirs = JsonDocument.Parse(other.ToJson());
        string Text(JsonDocument doc, string name) => doc.RootElement.TryGetProperty(name, out var v) ? v.GetRawText() : "(absent)";
        var names = mine.RootElement.EnumerateObject().Select(p => p.Name)
            .Concat(theirs.RootElement.EnumerateObject().Select(p => p.Name)).Distinct();
        var diffs = new List<string>();
        foreach (string name in names)
        {
            string a = Text(mine, name), b = Text(theirs, name);
            if (a != b) diffs.Add($"{name}: {b} -> {a}");
        }
        return diffs;
    }
}
