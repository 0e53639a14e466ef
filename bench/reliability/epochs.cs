#:project ../../src/MemScore/MemScore.csproj
#:property PublishAot=false
// Per-epoch (and per-L) version of what `memscore report` computes at the last epoch only: for each
// evaluation epoch and each number of repeats L' (the first L' complete repeats of the run), the
// paper estimator's M, the permutation q-values and the predicted seed-to-seed Spearman
// (Analysis.ExampleStatistics, seeded with the run's seed exactly as Aggregator.Score does).
// Usage: dotnet run bench/reliability/epochs.cs -- RUN_FOLDER OUT_DIR [L1,L2,..]   (default: all repeats)
// Writes OUT_DIR/summary.csv (epoch, repeats, predicted, pearson, significant) and OUT_DIR/m_e{epoch}_L{L}.csv (i, M, q).
using System.Globalization;
using MemScore.Analysis;
using MemScore.Memorization;
using MemScore.Storage;

string folder = args[0], outDir = args[1];
var manifest = RunManifest.Read(Path.Combine(folder, "run.json"));
var config = manifest.Config;
var all = Directory.GetFiles(Path.Combine(folder, "tasks"), "r*_f*.npz").Select(p => TaskResultFile.Read(p)).ToList();
int n = all[0].LogLikelihoods[0].Length;
var plan = new FoldPlan(n, config.Folds, config.Repeats, config.Seed);
var epochs = config.EvaluationEpochs();
int[] ls = args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToArray() : [config.Repeats];
Directory.CreateDirectory(outDir);
var inv = CultureInfo.InvariantCulture;
using var summary = new StreamWriter(Path.Combine(outDir, "summary.csv"));
summary.WriteLine("epoch,repeats,predicted_spearman,pearson_reliability,significant_q10,examples");
foreach (int l in ls)
    for (int c = 0; c < epochs.Length; c++)
    {
        var values = ModelValues.From(all.Where(r => r.Task.Repeat < l).ToList(), plan, c);
        if (values is null || values.Repeats != l) { Console.Error.WriteLine($"epoch {epochs[c]}, L={l}: only {values?.Repeats ?? 0} complete repeats, skipped"); continue; }
        var inference = ExampleStatistics.Compute(values, new ExampleStatisticsOptions(EstimatorKind.Paper, Seed: config.Seed));
        var m = Estimators.Compute(values, EstimatorKind.Paper, config.Seed).M;
        string line = string.Join(",", epochs[c], l, inference.PredictedReliability.ToString("F4", inv), inference.PearsonReliability.ToString("F4", inv),
            inference.Q.Count(q => q <= 0.1), n);
        summary.WriteLine(line); summary.Flush();
        Console.WriteLine(line);
        using var w = new StreamWriter(Path.Combine(outDir, $"m_e{epochs[c]}_L{l}.csv"));
        w.WriteLine("i,M,q");
        for (int i = 0; i < n; i++) w.WriteLine($"{i},{m[i].ToString("R", inv)},{inference.Q[i].ToString("R", inv)}");
    }
