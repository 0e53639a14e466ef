using MemScore.Analysis;
using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <summary>One label's M: how many, median, 0.95 quantile, share above the overall 0.95 quantile.</summary>
internal sealed record ClassSummary(int Label, int Count, double Median, double Q95, double ShareAboveQ95);

/// <summary>One bin of U = log P(x | D) (the in-models' log-likelihood): regular and highly memorized examples in it.</summary>
internal sealed record LikelihoodBin(double From, double To, int Regular, int High)
{
    public double ShareHigh => Regular + High == 0 ? double.NaN : High / (double)(Regular + High);
}

/// <summary>ESS / S over every (model, example) at the last evaluation: median, 5% quantile, share below 0.1, histogram.</summary>
internal sealed record EssSummary(double Median, double Q05, double ShareBelowTenth, Histogram Histogram);

/// <summary>The run as the report describes it (what was trained, how much of it finished).</summary>
internal sealed record RunSummary(string Dataset, int Examples, long[] ImageShape, string Model, int Folds, int Repeats, int TasksFinished, int TaskCount,
    int? InModels, int Epochs, int[] EvaluationEpochs, int ImportanceSamples, double LearningRate, int BatchSize, long Seed, int Threads,
    string Versions, double ComputeSeconds);

/// <summary>
/// Every statistic the report shows, computed once from the task result files (no HTML here): the
/// sections only draw these. M, U, V are at the last evaluation epoch; "highly memorized" is M above
/// its 0.95 quantile, as in the paper (METHOD.md section 5).
/// </summary>
internal sealed class ReportNumbers
{
    public static readonly double[] QuantileLevels = [0.5, 0.95, 0.999];
    const int HistogramBins = 40, LikelihoodBinCount = 10;

    public required RunSummary Run { get; init; }
    /// <summary>The DP-SGD guarantee of the fold models (one line), or null for a run without DP.</summary>
    public string? Privacy { get; init; }
    public required Scores Scores { get; init; }
    public required EstimatorKind Estimator { get; init; }
    public required IReadOnlyList<TaskResult> Results { get; init; }
    public ScoreInference? Inference => Scores.Inference;
    public int Count => Scores.Count;
    public required double[] M { get; init; }
    public required double[] U { get; init; }
    public required double[] V { get; init; }
    /// <summary>Rows by M at the last epoch, highest first (ties by row); rows without M left out.</summary>
    public required int[] Order { get; init; }
    /// <summary>Quantiles of finite M at <see cref="QuantileLevels"/>.</summary>
    public required double[] MQuantiles { get; init; }
    public double Q95 => MQuantiles[1];
    public double Q999 => MQuantiles[2];
    public required Histogram? MHistogram { get; init; }
    /// <summary>[level][evaluation column]: quantiles of M at <see cref="QuantileLevels"/> against epoch.</summary>
    public required double[][] QuantilesByEpoch { get; init; }
    public required ClassSummary[] PerClass { get; init; }
    /// <summary>Histogram of M per label on common bins and each label's most memorized rows; null with one label or very many.</summary>
    public ClassPanels? Classes { get; init; }
    public required LikelihoodBin[] LikelihoodBins { get; init; }
    public required EssSummary? Ess { get; init; }
    public required RocCurve RocAll { get; init; }
    public required (RocCurve Roc, int Selected, int SelectionRepeats)? RocTopSplit { get; init; }
    /// <summary>[repeats used - 1][level]: quantiles of the paper's M from the first 1..L repeats.</summary>
    public required double[][] QuantilesByRepeats { get; init; }
    public required double[] PaperM { get; init; }
    public required double[]? BalancedM { get; init; }
    /// <summary>Spearman of the paper's M with its null bias; NaN without inference or with too few pairs.</summary>
    public required double SpearmanWithNullBias { get; init; }
    /// <summary>Where --target-reliability stands (target_progress.json); null for a plain run.</summary>
    public TargetProgress? Target { get; init; }

    /// <param name="readiness">The results and target that <see cref="ReportReadiness.Check"/> read (null: read them here).</param>
    public static ReportNumbers Compute(RunContext context, EstimatorKind estimator = EstimatorKind.Paper, ReportReadiness? readiness = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (results, target) = readiness is null ? Aggregator.FinishedResultsWithTarget(context) : (readiness.Results, readiness.Target);
        var scores = Aggregator.Score(context, results, estimator);
        int last = scores.LastEpochColumn;
        var m = Column(scores.Count, i => scores.M(i, last));
        var u = Column(scores.Count, i => scores.U[i, last]);
        var finite = m.Where(double.IsFinite).ToArray();
        var quantiles = QuantileLevels.Select(q => Quantile(finite, q)).ToArray();
        var perRepeat = PerRepeatValues.From(results, context.Plan.Repeats, context.Plan.Count, last);
        var modelValues = context.InModels is null ? ModelValues.From(results, context.Plan, last) : null;
        var (allIn, allOut) = perRepeat.Pooled();
        var paperM = perRepeat.Memorization();
        return new ReportNumbers
        {
            Run = Summarize(context, scores.Count, results),
            Privacy = context.Config.IsPrivate() ? Training.Privacy.DpSgdPlan.ForFoldModels(context.Config, context.Manifest.Examples).Describe() : null,
            Scores = scores,
            Estimator = estimator,
            Results = results,
            M = m,
            U = u,
            V = Column(scores.Count, i => scores.V[i, last]),
            Order = scores.TopMemorized(scores.Count),
            MQuantiles = quantiles,
            MHistogram = finite.Length == 0 ? null : Histogram.Of(finite, HistogramBins),
            QuantilesByEpoch = QuantileLevels.Select(q => scores.EvaluationEpochs.Select((_, col) =>
                Quantile(Column(scores.Count, i => scores.M(i, col)).Where(double.IsFinite).ToArray(), q)).ToArray()).ToArray(),
            PerClass = SummarizeClasses(scores.Labels, m, quantiles[1]),
            Classes = ClassPanels.Compute(scores.Labels, m, scores.TopMemorized(scores.Count)),
            LikelihoodBins = BinByLikelihood(u, m, quantiles[1]),
            Ess = SummarizeEss(results, context.Plan.Count, last, context.Config.ImportanceSamples),
            RocAll = MembershipInference.Roc(allIn, allOut),
            RocTopSplit = modelValues is null ? null : MembershipInference.TopBySplitRepeats(modelValues, 0.05),
            QuantilesByRepeats = Uncertainty.QuantilesByRepeats(perRepeat, QuantileLevels),
            PaperM = paperM,
            BalancedM = modelValues is null ? null : Estimators.Compute(modelValues, EstimatorKind.Balanced, context.Config.Seed).M,
            SpearmanWithNullBias = SpearmanWithBias(paperM, scores.Inference),
            Target = target,
        };
    }

    static double[] Column(int count, Func<int, double> value) => Enumerable.Range(0, count).Select(value).ToArray();

    static double Quantile(double[] values, double q) => values.Length == 0 ? double.NaN : Statistics.Quantile(values, q);

    static RunSummary Summarize(RunContext context, int examples, IReadOnlyList<TaskResult> results)
    {
        var c = context.Config;
        var manifest = context.Manifest;
        // The family's options name a user's model (torchscript: the module file and its SHA-256).
        string model = c.ModelOptions.Count == 0 ? c.Model : $"{c.Model} ({c.ModelOptions})";
        return new RunSummary(c.Dataset, examples, manifest.ImageShape, model, c.Folds, c.Repeats, results.Count, context.TaskCount, c.InModels,
            c.Epochs, c.EvaluationEpochs(), c.ImportanceSamples, c.LearningRate, c.BatchSize, c.Seed, c.Threads,
            $"memscore {manifest.ToolVersion}, TorchSharp {manifest.TorchSharpVersion}, libtorch {manifest.LibTorchVersion}", results.Sum(r => r.Seconds));
    }

    /// <summary>Per label, over examples with a finite M.</summary>
    public static ClassSummary[] SummarizeClasses(int[] labels, double[] m, double q95) =>
        Enumerable.Range(0, m.Length).Where(i => double.IsFinite(m[i])).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g =>
        {
            var values = g.Select(i => m[i]).ToArray();
            return new ClassSummary(g.Key, values.Length, Statistics.Quantile(values, 0.5), Statistics.Quantile(values, 0.95),
                values.Count(v => v > q95) / (double)values.Length);
        }).ToArray();

    /// <summary>Equal-width bins of U over examples with finite U and M; highly memorized: M above <paramref name="q95"/>.</summary>
    public static LikelihoodBin[] BinByLikelihood(double[] u, double[] m, double q95)
    {
        var rows = Enumerable.Range(0, u.Length).Where(i => double.IsFinite(u[i]) && double.IsFinite(m[i])).ToArray();
        if (rows.Length == 0) return [];
        var edges = Histogram.Of(rows.Select(i => u[i]).ToArray(), LikelihoodBinCount).Edges;
        var regular = new int[LikelihoodBinCount];
        var high = new int[LikelihoodBinCount];
        double lo = edges[0], width = edges[^1] - edges[0];
        foreach (int i in rows)
        {
            int b = Math.Min(LikelihoodBinCount - 1, (int)((u[i] - lo) / width * LikelihoodBinCount));
            if (m[i] > q95) high[b]++; else regular[b]++;
        }
        return Enumerable.Range(0, LikelihoodBinCount).Select(b => new LikelihoodBin(edges[b], edges[b + 1], regular[b], high[b])).ToArray();
    }

    static EssSummary? SummarizeEss(IReadOnlyList<TaskResult> results, int count, int column, int samples)
    {
        var fraction = results.Where(r => r.EffectiveSampleSizes is not null)
            .SelectMany(r => r.EvaluatedRows(count).Select(i => r.EffectiveSampleSizes![column][i] / samples)).ToArray();
        if (fraction.Length == 0) return null;
        return new EssSummary(Statistics.Quantile(fraction, 0.5), Statistics.Quantile(fraction, 0.05),
            fraction.Count(v => v < 0.1) / (double)fraction.Length, Histogram.Of(fraction, 30));
    }

    static double SpearmanWithBias(double[] paperM, ScoreInference? inference)
    {
        if (inference is null) return double.NaN;
        var pairs = Enumerable.Range(0, paperM.Length).Where(i => double.IsFinite(paperM[i]) && double.IsFinite(inference.NullBias[i])).ToArray();
        return pairs.Length > 2 ? Statistics.Spearman(pairs.Select(i => paperM[i]).ToArray(), pairs.Select(i => inference.NullBias[i]).ToArray()) : double.NaN;
    }

    /// <summary>The quantiles of finite <paramref name="values"/> at <see cref="QuantileLevels"/> (NaN when none is finite).</summary>
    public static double[] QuantilesOf(double[]? values)
    {
        var finite = values?.Where(double.IsFinite).ToArray() ?? [];
        return QuantileLevels.Select(q => Quantile(finite, q)).ToArray();
    }
}
