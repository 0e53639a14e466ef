using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Execution;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Memorization;

/// <summary>
/// The whole estimator against an oracle: a Gaussian kernel density estimate on the task's
/// training data has a closed-form, deterministic log p(x). Run through the real executor (fold
/// plan, tasks, trainer batching, result files, aggregator), M must equal a direct computation.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class OracleEstimatorTests
{
    const double Bandwidth = 0.7;

    /// <summary>"Training" stores the batches it sees; log p(x) = log mean_j N(x; t_j, h^2 I) in float64.</summary>
    sealed class KernelDensityModel : IDensityModel
    {
        readonly List<Tensor> _seen = [];

        public ModelDescription Describe() => new("kde-oracle", new Dictionary<string, string> { ["h"] = Bandwidth.ToString() });

        public double TrainStep(Tensor batch, Generator noise)
        {
            _seen.Add(batch.reshape(batch.shape[0], -1).to_type(ScalarType.Float64).clone().DetachFromDisposeScope());
            return 0;
        }

        public Tensor LogLikelihood(Tensor batch, Generator noise)
        {
            using var scope = NewDisposeScope();
            var train = cat(_seen, 0);
            var x = batch.reshape(batch.shape[0], -1).to_type(ScalarType.Float64);
            var sq = cdist(x, train).square();
            long d = x.shape[1];
            var result = (sq / (-2 * Bandwidth * Bandwidth)).logsumexp(1)
                - Math.Log(train.shape[0]) - 0.5 * d * Math.Log(2 * Math.PI * Bandwidth * Bandwidth);
            return result.MoveToOuterDisposeScope();
        }

        public void Dispose() => _seen.ForEach(t => t.Dispose());
    }

    /// <summary>Binary 2x3 images (binarization leaves 0/1 unchanged), labels = index % 3.</summary>
    sealed class BinaryPointsProvider(double[][] points) : IDatasetProvider
    {
        public string Name => "binary-points";
        public string Description => "test points";
        public ImageDataset Load(DatasetRequest request)
        {
            var flat = points.SelectMany(p => p.Select(v => (float)v)).ToArray();
            var images = tensor(flat, [points.Length, 1, 2, 3]);
            return new ImageDataset(Name, images, Enumerable.Range(0, points.Length).Select(i => i % 3).ToArray(), Enumerable.Range(0, points.Length).ToArray());
        }
    }

    static double LogKde(double[] x, IEnumerable<double[]> train)
    {
        var terms = train.Select(t => -x.Zip(t, (a, b) => (a - b) * (a - b)).Sum() / (2 * Bandwidth * Bandwidth)).ToArray();
        return LogMath.LogSumExp(terms) - Math.Log(terms.Length) - 0.5 * x.Length * Math.Log(2 * Math.PI * Bandwidth * Bandwidth);
    }

    static double[][] RandomBinaryPoints(int n)
    {
        var rng = new SplitMix64(99);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 6).Select(_ => (double)rng.NextInt(2)).ToArray()).ToArray();
    }

    static ExperimentConfig OracleConfig(int folds, int repeats) => new()
    {
        Dataset = "binary-points", Model = "kde-oracle", Folds = folds, Repeats = repeats,
        Epochs = 1, EvalEvery = 1, BatchSize = 5, EvalBatchSize = 8, PadTo = 0, Threads = 1, Seed = 2024,
    };

    static ModelRegistry OracleModels() => new ModelRegistry().Add(new ModelFamily("kde-oracle", "oracle", _ => new KernelDensityModel()));

    static double LogKdeUnder(FoldPlan plan, TaskId task, double[][] points, int i)
    {
        var heldOut = plan.HeldOut(task).ToHashSet();
        return LogKde(points[i], Enumerable.Range(0, points.Length).Where(j => !heldOut.Contains(j)).Select(j => points[j]));
    }

    [Fact]
    public void Scores_equal_the_directly_computed_expectation()
    {
        const int n = 37, folds = 4, repeats = 3;
        var points = RandomBinaryPoints(n);
        var datasets = new DatasetRegistry().Add(new BinaryPointsProvider(points));
        var models = OracleModels();
        var config = OracleConfig(folds, repeats);
        using var dir = new TempDirectory();
        var outcome = new LocalExecutor(datasets, models).Run(new RunRequest(config, dir["run"], dir["cache"]));

        // Direct computation: enumerate every (repeat, fold), split into in/out by membership, log-mean-exp.
        var plan = new FoldPlan(n, folds, repeats, config.Seed);
        for (int i = 0; i < n; i++)
        {
            var inValues = new List<double>();
            var outValues = new List<double>();
            foreach (var task in plan.Tasks())
            {
                var heldOut = plan.HeldOut(task).ToHashSet();
                var train = Enumerable.Range(0, n).Where(j => !heldOut.Contains(j)).Select(j => points[j]);
                (heldOut.Contains(i) ? outValues : inValues).Add(LogKde(points[i], train));
            }
            double expected = LogMath.LogMeanExp(inValues.ToArray()) - LogMath.LogMeanExp(outValues.ToArray());
            // Both sides compute in float64 (torch vs LINQ, different summation order): 1e-9 is ~1e4 ulps of slack.
            Assert.InRange(outcome.Scores.M(i, 0), expected - 1e-9, expected + 1e-9);
            Assert.Equal(repeats * (folds - 1), outcome.Scores.CountIn[i]);
            Assert.Equal(repeats, outcome.Scores.CountOut[i]);
        }
        // The written CSV holds the same numbers.
        var csv = File.ReadAllLines(Path.Combine(dir["run"], "scores.csv"));
        Assert.Equal("index,label,U,V,M,n_in,n_out,M_lo,M_hi,p,q", csv[0]);
        Assert.Equal(n + 1, csv.Length);
        double m5 = double.Parse(csv[6].Split(',')[4], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(outcome.Scores.M(5, 0), m5);
    }

    [Fact]
    public void With_in_models_U_is_the_log_mean_exp_over_each_examples_chosen_in_models()
    {
        const int n = 37, folds = 4, repeats = 3, inModels = 4;
        var points = RandomBinaryPoints(n);
        var datasets = new DatasetRegistry().Add(new BinaryPointsProvider(points));
        var config = OracleConfig(folds, repeats) with { InModels = inModels };
        using var dir = new TempDirectory();
        var outcome = new LocalExecutor(datasets, OracleModels()).Run(new RunRequest(config, dir["run"], dir["cache"]));

        var plan = new FoldPlan(n, folds, repeats, config.Seed);
        for (int i = 0; i < n; i++)
        {
            var chosen = InModelSubset.Choose(plan, inModels, config.Seed, i);
            double u = LogMath.LogMeanExp(chosen.Select(t => LogKdeUnder(plan, t, points, i)).ToArray());
            double v = LogMath.LogMeanExp(plan.Tasks().Where(t => plan.FoldOf(t.Repeat, i) == t.Fold).Select(t => LogKdeUnder(plan, t, points, i)).ToArray());
            // float64 on both sides, different summation order: 1e-9 as in the full-estimator test.
            Assert.InRange(outcome.Scores.U[i, 0], u - 1e-9, u + 1e-9);
            Assert.InRange(outcome.Scores.V[i, 0], v - 1e-9, v + 1e-9);
            Assert.Equal(inModels, outcome.Scores.CountIn[i]);
            Assert.Equal(repeats, outcome.Scores.CountOut[i]);
        }

        // Each result file lists exactly its planned rows; a result listing other rows is refused.
        using var context = RunContext.Open(dir["run"], datasets, dir["cache"]);
        var task = new TaskId(1, 2);
        var result = context.LoadResult(task)!;
        Assert.Equal(context.InModels!.RowsToEvaluate(task), result.Evaluated);
        Assert.True(result.Evaluated!.Length < n);
        int dropped = result.Evaluated.First(i => !plan.HeldOut(task).Contains(i));
        var tampered = result with
        {
            Evaluated = result.Evaluated.Where(i => i != dropped).ToArray(),
            LogLikelihoods = result.LogLikelihoods.Select(row => row.Select((x, i) => i == dropped ? double.NaN : x).ToArray()).ToArray(),
        };
        TaskResultFile.Write(context.Folder.TaskPath(task), tampered);
        var error = Assert.Throws<MemScoreException>(() => context.LoadResult(task));
        Assert.Contains("evaluated other examples", error.Message);
    }
}
