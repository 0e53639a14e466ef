using System.Globalization;
using System.Text;
using System.Text.Json;
using MemScore.Core;
using MemScore.Models;

namespace MemScore.Storage;

/// <summary>
/// The curves of a `memscore full` run (one model on the whole training split, test split held out):
/// per epoch the running training loss and the eval-mode losses of the training and test examples;
/// per evaluation epoch log p(x) of every training and test example.
/// </summary>
internal sealed record FullCurves(double[] TrainLoss, double[] TrainEvalLoss, double[] TestEvalLoss,
    int[] EvaluationEpochs, double[][] TrainLogP, double[][] TestLogP)
{
    public int CompletedEpochs => TrainLoss.Length;
}

/// <summary>
/// Layout of a full-run folder:
///   full.json         config, hashes, sizes, where the test examples came from
///   full.npz          curves (train_loss, train_eval_loss, test_eval_loss [epochs]; logp_train, logp_test [evaluations, n])
///   curves.csv        one row per epoch: losses, and mean log p(x) and bits/dim where evaluated
///   model.npz         the final model's state (reloads to the same log p(x))
///   model.pt          the final weights as a PyTorch state dict (--export-pytorch)
///   checkpoint.npz    state of an unfinished run (deleted when it finishes)
/// </summary>
internal sealed class FullRunFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    /// <summary>Names MemScore writes in a full-run folder (besides its temporary files).</summary>
    public static readonly IReadOnlySet<string> OwnEntries = new HashSet<string>(StringComparer.Ordinal)
        { "full.json", "full.npz", "curves.csv", "model.npz", "model.pt", "checkpoint.npz", "run.lock", DedupFile.Name };
    public string ManifestPath => Path.Combine(Root, "full.json");
    public string ResultPath => Path.Combine(Root, "full.npz");
    public string CurvesCsvPath => Path.Combine(Root, "curves.csv");
    public string ModelPath => Path.Combine(Root, "model.npz");
    public string CheckpointPath => Path.Combine(Root, "checkpoint.npz");
    public string PyTorchModelPath => Path.Combine(Root, "model.pt");

    public sealed record Manifest(Configuration.ExperimentConfig Config, int TrainExamples, int TestExamples, string TestSource, double TestFraction);

    /// <summary>
    /// full.json: the config and sizes of a finished or running full run. Every field is checked: a
    /// garbled, empty or mistyped file is a damaged folder (exit 4) naming the file and the field.
    /// </summary>
    public Manifest ReadManifest()
    {
        if (!File.Exists(ManifestPath)) throw new InvalidInputException(ManifestPath, "not found; is this a `memscore full` output folder?");
        System.Text.Json.Nodes.JsonObject root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(InputFile.ReadAllText(ManifestPath, ErrorKind.RunFolder, "a full-run manifest (JSON)")) as System.Text.Json.Nodes.JsonObject
                   ?? throw Damaged("the file is not a JSON object");
            _ = root.Count;   // duplicate names throw here
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw Damaged($"not valid JSON ({e.Message})", e);
        }
        int expected = ModelRegistry.ResultsSchemeOf(ModelOf(root));
        if (RunManifest.SchemeOf(root, ManifestPath) is int scheme && scheme != expected)
            throw ResultsScheme.Refusal(ManifestPath, scheme, "full-run folder", expected);
        T Field<T>(string name, string expected)
        {
            var node = root[name] ?? throw Damaged($"'{name}' is {(root.ContainsKey(name) ? "null" : "missing")}, expected {expected}");
            try { return node.GetValue<T>(); }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            { throw Damaged($"'{name}' is {node.ToJsonString()}, expected {expected}", e); }
        }
        Configuration.ExperimentConfig config;
        try
        {
            config = (root["config"] is System.Text.Json.Nodes.JsonNode node
                     ? Configuration.ExperimentConfig.FromJson(node.ToJsonString(), ManifestPath)
                     : throw Damaged($"'config' is {(root.ContainsKey("config") ? "null" : "missing")}, expected the run's config"));
        }
        catch (InvalidInputException e) { throw Damaged($"'config' is invalid: {e.Message}", e); }
        if (Field<string>("config_hash", "a string") != config.Hash())
            throw Damaged($"'config_hash' is {root["config_hash"]!.ToJsonString()}, but 'config' hashes to \"{config.Hash()}\"");
        Field<string>("dataset_hash", "a string");
        int train = Field<int>("train_examples", "an integer >= 1"), test = Field<int>("test_examples", "an integer >= 1");
        if (train < 1) throw Damaged($"'train_examples' is {train}, expected an integer >= 1");
        if (test < 1) throw Damaged($"'test_examples' is {test}, expected an integer >= 1");
        double fraction = root.ContainsKey("test_fraction") ? Field<double>("test_fraction", "a number between 0 and 1") : 0.1;   // absent in early full runs
        if (!(fraction > 0 && fraction < 1)) throw Damaged($"'test_fraction' is {fraction.ToString(CultureInfo.InvariantCulture)}, expected a number between 0 and 1");
        return new Manifest(config, train, test, Field<string>("test_source", "a string"), fraction);
    }

    /// <summary>
    /// The dedup.csv of this folder for a full run of <paramref name="config"/> on the training data recorded in full.json (its
    /// dataset_hash up to a '+'); null when either is missing or full.json cannot be read (its readers report that).
    /// </summary>
    public Configuration.RecordedDedup? RecordedDedup(Configuration.ExperimentConfig config)
    {
        if (config.Dedup is null || !File.Exists(ManifestPath)) return null;
        string? hash;
        try { hash = (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ManifestPath)) as System.Text.Json.Nodes.JsonObject)?["dataset_hash"]?.GetValue<string>(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException) { return null; }
        return hash is null ? null : DedupFile.Recorded(Root, config, hash.Split('+')[0]);
    }

    /// <summary>The --model of a full.json's config (the default model when absent), read before the config is validated.</summary>
    static string ModelOf(System.Text.Json.Nodes.JsonObject root) =>
        root["config"] is System.Text.Json.Nodes.JsonObject config && config["model"] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue(out string? model)
            ? model : new Configuration.ExperimentConfig().Model;

    MemScoreException Damaged(string problem, Exception? inner = null) =>
        new(ErrorKind.RunFolder, $"{ManifestPath}: {problem}; full.json is damaged: restore it or choose a new --out", inner);

    /// <summary>The finished curves; an unfinished run is an error naming the folder.</summary>
    public FullCurves ReadCurves(Manifest manifest)
    {
        if (!File.Exists(ResultPath)) throw new InvalidInputException(ResultPath, "not found: the full run has not finished; rerun `memscore full` with the same flags");
        return Read(ResultPath, manifest.TrainExamples, manifest.TestExamples).Curves;
    }

    static readonly string[] CurveKeys = ["train_loss", "train_eval_loss", "test_eval_loss", "eval_epochs", "logp_train", "logp_test", "meta"];

    public static IReadOnlyDictionary<string, NpyArray> ToArrays(FullCurves c, string configHash)
    {
        int nTrain = c.TrainLogP.FirstOrDefault()?.Length ?? 0, nTest = c.TestLogP.FirstOrDefault()?.Length ?? 0;
        return new Dictionary<string, NpyArray>
        {
            ["train_loss"] = NpyArray.FromDoubles(c.TrainLoss),
            ["train_eval_loss"] = NpyArray.FromDoubles(c.TrainEvalLoss),
            ["test_eval_loss"] = NpyArray.FromDoubles(c.TestEvalLoss),
            ["eval_epochs"] = NpyArray.FromInt64(c.EvaluationEpochs.Select(e => (long)e).ToArray()),
            ["logp_train"] = NpyArray.FromDoubles(c.TrainLogP.SelectMany(r => r).ToArray(), c.TrainLogP.Length, nTrain),
            ["logp_test"] = NpyArray.FromDoubles(c.TestLogP.SelectMany(r => r).ToArray(), c.TestLogP.Length, nTest),
            ["meta"] = NpyArray.FromBytes(JsonSerializer.SerializeToUtf8Bytes(new { config_hash = configHash })),
        };
    }

    /// <summary>Reads curves (and the model state stored beside them in a checkpoint); every shape is checked.</summary>
    public static (FullCurves Curves, string ConfigHash, Dictionary<string, NpyArray> OtherArrays) Read(string path, int trainCount, int testCount)
    {
        var arrays = Npz.Read(path);
        NpyArray Get(string key) => arrays.TryGetValue(key, out var a) ? a : throw new InvalidInputException(path, $"lacks '{key}'");
        string hash;
        try { hash = JsonDocument.Parse(Get("meta").Data).RootElement.GetProperty("config_hash").GetString() ?? ""; }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        { throw new InvalidInputException(path, $"unreadable metadata: {e.Message}", e); }
        var trainLoss = Get("train_loss").ToDoubles();
        var trainEval = Get("train_eval_loss").ToDoubles();
        var testEval = Get("test_eval_loss").ToDoubles();
        if (trainEval.Length != trainLoss.Length || testEval.Length != trainLoss.Length)
            throw new InvalidInputException(path, $"loss curves differ in length ({trainLoss.Length}, {trainEval.Length}, {testEval.Length})");
        var evalEpochs = Get("eval_epochs").ToInt64().Select(e => (int)e).ToArray();
        var curves = new FullCurves(trainLoss, trainEval, testEval, evalEpochs,
            Rows(path, Get("logp_train"), evalEpochs.Length, trainCount), Rows(path, Get("logp_test"), evalEpochs.Length, testCount));
        var rest = arrays.Where(kv => !CurveKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return (curves, hash, rest);
    }

    static double[][] Rows(string path, NpyArray array, int rows, int columns)
    {
        if (rows == 0) return [];
        if (array.Shape.Length != 2 || array.Shape[0] != rows || array.Shape[1] != columns)
            throw new InvalidInputException(path, $"log p(x) array has shape ({string.Join(", ", array.Shape)}), expected ({rows}, {columns})");
        var values = array.ToDoubles();
        return Enumerable.Range(0, rows).Select(r => values.AsSpan(r * columns, columns).ToArray()).ToArray();
    }

    /// <summary>epoch, losses, and at evaluation epochs the mean log p(x) and bits per dimension of both splits.</summary>
    public static string CurvesCsv(FullCurves c, long dimensions)
    {
        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("epoch,train_loss,train_eval_loss,test_eval_loss,train_logp_mean,test_logp_mean,train_bpd,test_bpd\n");
        for (int e = 0; e < c.CompletedEpochs; e++)
        {
            int k = Array.IndexOf(c.EvaluationEpochs, e + 1);
            double train = k < 0 ? double.NaN : c.TrainLogP[k].Average(), test = k < 0 ? double.NaN : c.TestLogP[k].Average();
            double Bpd(double logp) => Likelihood.LogitTransform.BitsPerDimension(logp, dimensions);
            sb.Append(e + 1).Append(',').Append(F(c.TrainLoss[e])).Append(',').Append(F(c.TrainEvalLoss[e])).Append(',').Append(F(c.TestEvalLoss[e]))
              .Append(',').Append(F(train)).Append(',').Append(F(test)).Append(',').Append(F(Bpd(train))).Append(',').Append(F(Bpd(test))).Append('\n');
        }
        return sb.ToString();
    }
}
