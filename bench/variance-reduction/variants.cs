#:project ../../src/MemScore/MemScore.csproj
#:property PublishAot=false
// Variance-reduction candidates that need no new training, from one run's task files (issue 12 item 5c):
//   avg_last2   each model's log p averaged over its last two evaluations (epochs E-10 and E), then the
//               paper estimator, q-values and predicted Spearman exactly as the report computes them
//   inmodels{m} U from m in-model values per example drawn at random (seeded) from the L(K-1), V from all L
//               out-values (what --in-models m evaluates); no q-values or prediction (the product has none there)
// Usage: dotnet run bench/variance-reduction/variants.cs -- RUN_FOLDER OUT_DIR
// Writes OUT_DIR/summary.csv (variant, epoch, predicted_spearman, significant_q10) and OUT_DIR/m_{variant}_e{epoch}.csv (i, M, q).
using System.Globalization;
using System.Text.Json.Nodes;
using MemScore.Analysis;
using MemScore.Core;
using MemScore.Memorization;
using MemScore.Storage;

string folder = args[0], outDir = args[1];
// run.json is read as plain JSON and the folds come from the task files' held_out rows, not from FoldPlan:
// the a1000 runs were made under results scheme 1, whose fold draws differ from this build's (scheme 2).
long seed = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "run.json")))!["config"]!["seed"]!.GetValue<long>();
var all = Directory.GetFiles(Path.Combine(folder, "tasks"), "r*_f*.npz").Select(p => TaskResultFile.Read(p)).ToDictionary(r => r.Task);
int n = all.Values.First().LogLikelihoods[0].Length;
int repeats = all.Keys.Max(t => t.Repeat) + 1, folds = all.Keys.Max(t => t.Fold) + 1;
var epochs = all.Values.First().EvaluationEpochs;
int last = epochs.Length - 1;
var outFold = Enumerable.Range(0, repeats).Select(r =>
{
    var o = new int[n];
    for (int f = 0; f < folds; f++) foreach (int i in all[new TaskId(r, f)].HeldOut) o[i] = f;
    return o;
}).ToArray();
ModelValues At(int column, Func<int, int, int, double>? value = null) => ModelValues.Create(
    Enumerable.Range(0, repeats).Select(r => Enumerable.Range(0, folds).Select(f =>
        Enumerable.Range(0, n).Select(i => value?.Invoke(r, f, i) ?? all[new TaskId(r, f)].LogLikelihoods[column][i]).ToArray()).ToArray()).ToArray(),
    outFold);
var inv = CultureInfo.InvariantCulture;
Directory.CreateDirectory(outDir);
using var summary = new StreamWriter(Path.Combine(outDir, "summary.csv"));
summary.WriteLine("variant,epoch,predicted_spearman,significant_q10");

void Write(string variant, int epoch, double[] m, double[] q, double predicted)
{
    string line = string.Join(",", variant, epoch, predicted.ToString("F4", inv), q.Count(x => x <= 0.1));
    summary.WriteLine(line); summary.Flush(); Console.WriteLine(line);
    using var w = new StreamWriter(Path.Combine(outDir, $"m_{variant}_e{epoch}.csv"));
    w.WriteLine("i,M,q");
    for (int i = 0; i < n; i++) w.WriteLine($"{i},{m[i].ToString("R", inv)},{q[i].ToString("R", inv)}");
}

// avg_last2: per model, the mean of log p at the last two evaluations.
var a = At(last - 1);
var b = At(last);
var averaged = At(last, (r, f, i) => 0.5 * (a.Value(r, f, i) + b.Value(r, f, i)));
// Check of the fold reconstruction: the last epoch as is must reproduce epochs.cs / the report (0.7859 for a1000s1).
var check = ExampleStatistics.Compute(b, new ExampleStatisticsOptions(EstimatorKind.Paper, Seed: seed));
Write("last", epochs[last], Estimators.Compute(b, EstimatorKind.Paper, seed).M, check.Q, check.PredictedReliability);
var inference = ExampleStatistics.Compute(averaged, new ExampleStatisticsOptions(EstimatorKind.Paper, Seed: seed));
Write("avg_last2", epochs[last], Estimators.Compute(averaged, EstimatorKind.Paper, seed).M, inference.Q, inference.PredictedReliability);

// inmodels{m}: at the first evaluation epoch and the last.
foreach (int c in new[] { 0, last })
{
    var values = At(c);
    foreach (int m in new[] { 4, 8 })
    {
        var rng = new SplitMix64(SeedDeriver.Derive(seed, "bench-inmodels", m));
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            var ins = new List<double>();
            var outs = new double[values.Repeats];
            for (int r = 0; r < values.Repeats; r++)
            {
                int o = values.OutFold(r, i);
                outs[r] = values.Value(r, o, i);
                for (int f = 0; f < values.Folds; f++) if (f != o) ins.Add(values.Value(r, f, i));
            }
            for (int j = 0; j < m; j++) { int k = j + rng.NextInt(ins.Count - j); (ins[j], ins[k]) = (ins[k], ins[j]); }
            result[i] = LogMath.LogMeanExp(ins.Take(m).ToArray()) - LogMath.LogMeanExp(outs);
        }
        Write($"inmodels{m}", epochs[c], result, Enumerable.Repeat(double.NaN, n).ToArray(), double.NaN);
    }
}
