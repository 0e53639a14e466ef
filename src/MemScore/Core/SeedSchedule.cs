namespace MemScore.Core;

/// <summary>Which split of a dataset a data-level draw is for.</summary>
internal enum DataSplit { Training, Test }

/// <summary>
/// Every seed of a run, derived from its root seed by <see cref="SeedDeriver"/>. Each purpose name
/// is written here once and nowhere else: a renamed purpose changes every result, so the names
/// are pinned by a test, and no other source file may call <see cref="SeedDeriver.Derive"/>.
/// </summary>
internal readonly record struct SeedSchedule(long RootSeed)
{
    /// <summary>Which examples --limit keeps of the split.</summary>
    public long LimitSubset(DataSplit split) => Derive(split == DataSplit.Test ? "test-limit-subset" : "limit-subset");

    /// <summary>The fixed binarization of the split's evaluated images.</summary>
    public long EvaluationBinarization(DataSplit split) => Derive(EvaluationDraw(split) + "-binarization");

    /// <summary>The fixed dequantization noise of the split's evaluated images.</summary>
    public long EvaluationDequantization(DataSplit split) => Derive(EvaluationDraw(split) + "-dequantization");

    /// <summary>The permutation that cuts repeat <paramref name="repeat"/> into folds.</summary>
    public long FoldPermutation(int repeat) => Derive("fold-permutation", repeat);

    /// <summary>The in-models example <paramref name="example"/> keeps with --in-models.</summary>
    public long InModelChoice(int example) => Derive("in-model-choice", example);

    /// <summary>The examples `memscore full` holds out as test set when the dataset has no test split.</summary>
    public long FullRunTestHoldout => Derive("full-test-holdout");

    /// <summary>The model of task (repeat, fold): its initialisation, and per epoch its training and evaluation draws.</summary>
    public TaskSeeds Task(int repeat, int fold) => new(RootSeed, "", "is-noise", [repeat, fold]);

    /// <summary>The model of `memscore full`; its evaluation seed is that of the training examples.</summary>
    public TaskSeeds FullRun => new(RootSeed, "full-", "train-is-noise", []);

    /// <summary>The eval-mode loss and test-set log p(x) draws of `memscore full` at <paramref name="epoch"/>.</summary>
    public FullRunCurveSeeds FullRunCurves(int epoch) =>
        new(Derive("full-train-loss-noise", epoch), Derive("full-test-loss-noise", epoch), Derive("full-test-is-noise", epoch));

    /// <summary>The report's samples of the full model and their redraw.</summary>
    public long ReportSamples => Derive("report-samples");

    /// <summary>The k-means cells of the report's data-copying statistic.</summary>
    public long ReportCopyingCells => Derive("report-ct-kmeans");

    static string EvaluationDraw(DataSplit split) => split == DataSplit.Test ? "test-evaluation" : "evaluation";

    /// <summary>Aggregation-time draws: the balanced estimator's groupings, permutation relabellings, reliability simulation.</summary>
    public long BalancedGroupings => Derive("balanced-groupings");
    public long Relabelling => Derive("relabelling");
    public long ShiftPrior => Derive("shift-prior");
    public long Reliability => Derive("reliability");
    public long ReliabilityRelabelling => Derive("reliability-relabelling");

    /// <summary>The simulation harness's true effects and model noise (each from its own root seed).</summary>
    public long SimulationTruth => Derive("simulation-truth");
    public long SimulationNoise => Derive("simulation-noise");

    long Derive(string purpose, params long[] coordinates) => SeedDeriver.Derive(RootSeed, purpose, coordinates);
}

/// <summary>The seeds of one trained model; every epoch's generators are seeded afresh, so a resumed model draws what an uninterrupted one does.</summary>
internal sealed class TaskSeeds
{
    readonly long _root;
    readonly string _prefix, _evaluation;
    readonly long[] _coordinates;

    internal TaskSeeds(long root, string prefix, string evaluation, long[] coordinates) =>
        (_root, _prefix, _evaluation, _coordinates) = (root, prefix, evaluation, coordinates);

    public long ModelInit => Derive("model-init");

    public EpochSeeds Epoch(int epoch) => new(Derive("batch-order", epoch), Derive("train-noise", epoch), Derive("train-augment", epoch));

    /// <summary>DP-SGD's draws in <paramref name="epoch"/> (--dp-noise-multiplier / --dp-epsilon): the Poisson sampling of each step's batch, the Gaussian gradient noise.</summary>
    public PrivateEpochSeeds PrivateEpoch(int epoch) => new(Derive("dp-sampling", epoch), Derive("dp-noise", epoch));

    /// <summary>The importance-sampling (or other likelihood) noise of the evaluation at <paramref name="epoch"/>.</summary>
    public long Evaluation(int epoch) => Derive(_evaluation, epoch);

    long Derive(string purpose, params long[] more) => SeedDeriver.Derive(_root, _prefix + purpose, [.. _coordinates, .. more]);
}

/// <summary>One training epoch's seeds: the order of the examples, the model's training noise, batch redraws and flips.</summary>
internal readonly record struct EpochSeeds(long BatchOrder, long TrainNoise, long Augment);

/// <summary>One DP-SGD epoch's seeds: which examples each step's Poisson batch holds, and the noise added to the clipped gradients.</summary>
internal readonly record struct PrivateEpochSeeds(long Sampling, long Noise);

/// <summary>The per-epoch extras of `memscore full`: eval-mode losses of the training and test examples, test-set log p(x).</summary>
internal readonly record struct FullRunCurveSeeds(long TrainLoss, long TestLoss, long TestEvaluation);
