#:project ../src/MemScore/MemScore.csproj
#:property PublishAot=false
// Recomputes M of a full run (every in-model evaluated) as the --in-models estimator would, from the
// SAME task result files: only the estimator differs, not the trained models or the IS noise.
// Usage: dotnet run bench/in-models-offline.cs -- RUN_FOLDER M1[,M2..] [CHOICE_SEEDS] [OTHER_RUN=M ...]
//   CHOICE_SEEDS: how many choice seeds (root seed, root seed + 1, ...) to repeat the subset draw with.
//   OTHER_RUN=M: a real --in-models M run folder; its scores.csv M is compared with the full run's too.
using System.Globalization;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Storage;

string folder = args[0];
int[] subsetSizes = args[1].Split(',').Select(int.Parse).ToArray();
int choiceSeeds = args.Length > 2 ? int.Parse(args[2]) : 1;
var manifest = RunManifest.Read(Path.Combine(folder, "run.json"));
var config = manifest.Config;
var results = Directory.GetFiles(Path.Combine(folder, "tasks"), "r*_f*.npz").Select(TaskResultFile.Read).ToDictionary(r => r.Task);
int n = results.Values.First().LogLikelihoods[0].Length;
int last = config.EvaluationEpochs().Length - 1;
var plan = new FoldPlan(n, config.Folds, config.Repeats, config.Seed);
if (results.Count != config.Folds * config.Repeats || results.Values.Any(r => r.Evaluated is not null))
    throw new InvalidOperationException($"{folder}: needs a complete run that evaluated every in-model");

double LogP(TaskId task, int i) => results[task].LogLikelihoods[last][i];
double[] OutValues(int i) => plan.Tasks().Where(t => plan.FoldOf(t.Repeat, i) == t.Fold).Select(t => LogP(t, i)).ToArray();
double[] AllInValues(int i) => plan.Tasks().Where(t => plan.FoldOf(t.Repeat, i) != t.Fold).Select(t => LogP(t, i)).ToArray();

var full = Enumerable.Range(0, n).Select(i => LogMath.LogMeanExp(AllInValues(i)) - LogMath.LogMeanExp(OutValues(i))).ToArray();
string F(double x) => x.ToString("F3", CultureInfo.InvariantCulture);
string Summary(double[] m) => $"{F(Statistics.Quantile(m, 0.5))} | {F(Statistics.Quantile(m, 0.95))} | {F(Statistics.Quantile(m, 0.999))}";
Console.WriteLine($"{folder}: n = {n}, K = {config.Folds}, L = {config.Repeats}, S = {config.ImportanceSamples}, epoch {config.EvaluationEpochs()[last]}");
Console.WriteLine("| estimator | choice seed | median M | q0.95 | q0.999 | mean(M - M_full) | sd(M - M_full) | Spearman vs full |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
Console.WriteLine($"| all {config.Repeats * (config.Folds - 1)} | - | {Summary(full)} | 0 | 0 | 1 |");
foreach (int m in subsetSizes)
    for (int s = 0; s < choiceSeeds; s++)
    {
        long seed = config.Seed + s;
        var sub = Enumerable.Range(0, n).Select(i =>
            LogMath.LogMeanExp(InModelSubset.Choose(plan, m, seed, i).Select(t => LogP(t, i)).ToArray()) - LogMath.LogMeanExp(OutValues(i))).ToArray();
        var diff = sub.Zip(full, (a, b) => a - b).ToArray();
        Console.WriteLine($"| {m} (offline) | {seed} | {Summary(sub)} | {F(Statistics.Mean(diff))} | {F(Statistics.StandardDeviation(diff))} | {F(Statistics.Spearman(sub, full))} |");
    }
foreach (string other in args.Skip(3))
{
    var (path, m) = (other.Split('=')[0], other.Split('=')[1]);
    var scores = File.ReadAllLines(Path.Combine(path, "scores.csv")).Skip(1)
        .Select(l => double.Parse(l.Split(',')[4], CultureInfo.InvariantCulture)).ToArray();
    var diff = scores.Zip(full, (a, b) => a - b).ToArray();
    Console.WriteLine($"| {m} (real run) | {config.Seed} | {Summary(scores)} | {F(Statistics.Mean(diff))} | {F(Statistics.StandardDeviation(diff))} | {F(Statistics.Spearman(scores, full))} |");
}
// For scale: the full estimator from one repeat (L = 1, all K-1 in-models), and repeat 0 vs repeat 1.
var perRepeat = Enumerable.Range(0, config.Repeats).Select(r => Enumerable.Range(0, n).Select(i =>
    LogMath.LogMeanExp(plan.Tasks().Where(t => t.Repeat == r && plan.FoldOf(r, i) != t.Fold).Select(t => LogP(t, i)).ToArray())
    - LogP(new TaskId(r, plan.FoldOf(r, i)), i)).ToArray()).ToArray();
for (int r = 0; r < config.Repeats; r++)
{
    var diff = perRepeat[r].Zip(full, (a, b) => a - b).ToArray();
    Console.WriteLine($"| repeat {r} only (L = 1, all {config.Folds - 1}) | - | {Summary(perRepeat[r])} | {F(Statistics.Mean(diff))} | {F(Statistics.StandardDeviation(diff))} | {F(Statistics.Spearman(perRepeat[r], full))} |");
}
if (config.Repeats >= 2) Console.WriteLine($"\nSpearman of M from repeat 0 alone vs repeat 1 alone: {F(Statistics.Spearman(perRepeat[0], perRepeat[1]))}");
