using System.ComponentModel;
using MemScore.Configuration;
using MemScore.Storage;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>
/// The config flags shared by `run`, `plan` and `full`; each overrides the same field of --config (kebab-case names
/// match). The fold fields only `run` and `plan` accept are in <see cref="PlanSettings"/>.
/// </summary>
public partial class RunSettings : CacheDirSettings
{
    [CommandOption("--config <FILE>")]
    [Description("JSON config file (fields named like the flags, e.g. \"learning-rate\"); flags override it")]
    public string? ConfigFile { get; init; }

    [CommandOption("--preset <NAME>")]
    [Description("Start from a paper setting: paper-mnist-lr3, paper-mnist-lr4, paper-cifar10, paper-celeba (METHOD.md section 4); flags override its fields")]
    public string? Preset { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Run folder; rerunning on it resumes. Default: runs/<dataset>-<config hash>")]
    public string? Out { get; init; }

    [CommandOption("--dataset <NAME>")]
    [Description("mnist-sample (default: 10k real digits, fetched once), mnist, fashion-mnist, idx, cifar10, celeba, image-folder")]
    public string? Dataset { get; init; }

    [CommandOption("--data-dir <PATH>")]
    [Description("Folder (or IDX file) for datasets read from disk")]
    public string? DataDir { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Use a seeded random subset of N examples")]
    public int? Limit { get; init; }

    [CommandOption("--model <NAME>")]
    [Description("Model family (see `memscore models`); default bernoulli-mlp-vae")]
    public string? Model { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Training epochs per model (default 60; paper 100)")]
    public int? Epochs { get; init; }

    [CommandOption("--eval-every <N>")]
    [Description("Evaluate log p(x) every N epochs; the last epoch always (default 60: only the last; paper 5)")]
    public int? EvalEvery { get; init; }

    [CommandOption("--lr|--learning-rate <LR>")]
    [Description("Adam learning rate (--learning-rate is the same flag; default 1e-3)")]
    public double? LearningRate { get; init; }

    [CommandOption("--weight-decay <WD>")]
    [Description("Decoupled (AdamW) weight decay: each step shrinks the weights by 1 - lr x WD (default 0 = none); limits memorization")]
    public double? WeightDecay { get; init; }

    [CommandOption("--dedup <THRESHOLD>")]
    [Description("Remove near-duplicate training examples before the folds are drawn: RMS distance per pixel (intensities 0..1) of the 2x down-sampled images <= THRESHOLD (0 = exact copies); keeps the first of each group, lists the rest in dedup.csv (default: none)")]
    public double? Dedup { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Training minibatch size (default 64)")]
    public int? BatchSize { get; init; }

    [CommandOption("--latent-dim <N>")]
    [Description("Latent dimension (default 16)")]
    public int? LatentDim { get; init; }

    [CommandOption("--is-samples <S>")]
    [Description("Importance samples per example for log p(x) (default 64; paper 256 for MNIST)")]
    public int? ImportanceSamples { get; init; }

    [CommandOption("--eval-batch-size <N>")]
    [Description("Examples per importance-sampling batch (default 128)")]
    public int? EvalBatchSize { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Root seed (default 42); every random consumer derives its own generator from it")]
    public long? Seed { get; init; }

    [CommandOption("--threads <N>")]
    [Description("CPU threads per model (run: default 1, with one worker per core; full: default all cores); results are bit-identical only for the same value")]
    public int? Threads { get; init; }

    [CommandOption("--train-binarization <MODE>")]
    [Description("fixed (default): train on the scored binarization; dynamic: redraw each epoch")]
    public string? TrainBinarization { get; init; }

    [CommandOption("--pad-to <N>")]
    [Description("Zero-pad images to N x N (default 32; 0 = none)")]
    public int? PadTo { get; init; }

    [CommandOption("--flip")]
    [Description("Random horizontal flip of each training image (the paper's CIFAR-10/CelebA augmentation)")]
    public bool? Flip { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("auto (default: CUDA when this build and machine have it, else CPU), cpu or cuda")]
    public string? Device { get; init; }

    [CommandOption("--model-option <KEY=VALUE>")]
    [Description("Set one of the model family's options (repeatable; `memscore models` lists them with defaults), e.g. --model-option feature-maps=16; overrides the config's \"model-options\"")]
    public string[]? ModelOptions { get; init; }

    [CommandOption("--feature-maps <F>")]
    [Description("Short for --model-option feature-maps=F: DC-VAE width, feature maps of the first convolution (default 32, the paper's)")]
    public int? FeatureMaps { get; init; }

    [CommandOption("--mixture-components <N>")]
    [Description("Short for --model-option mixture-components=N: logistics per pixel of mol-dc-vae (default 10, the paper's)")]
    public int? MixtureComponents { get; init; }

    [CommandOption("--download")]
    [Description("Fetch mnist, fashion-mnist or cifar10 from its public host (or $MEMSCORE_DOWNLOAD_MIRROR) into the cache if missing; SHA-256 checked")]
    public bool Download { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Save a running task's state every N epochs so a crash loses at most N epochs (default 1; 0 = never). Results do not depend on it")]
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Paths given as "", a negative --checkpoint-every and --config with --preset are refused here, naming the flag (exit 2), before anything is created.</summary>
    public override Spectre.Console.ValidationResult Validate()
    {
        if (ConfigFile is not null && Preset is not null)
            throw new Core.InvalidConfigurationException($"--config {ConfigFile} and --preset {Preset}: give one of them (flags may override either)");
        if (Out is not null) Storage.OutputFolder.RequirePath(Out, "out");
        if (DataDir is not null) Storage.OutputFolder.RequirePath(DataDir, "data-dir");
        Execution.ExecutionRule.RequireCheckpointEvery(CheckpointEvery);
        return base.Validate();
    }

    /// <summary>True when no flag, preset or config file sets a results-affecting field.</summary>
    public bool SetsNoConfigField() =>
        ConfigFile is null && Preset is null && new object?[]
        {
            Dataset, DataDir, Limit, Model, Epochs, EvalEvery, LearningRate, WeightDecay, Dedup, BatchSize, LatentDim, ImportanceSamples,
            EvalBatchSize, Seed, Threads, TrainBinarization, PadTo, Flip, Device, ModelOptions, FeatureMaps, MixtureComponents,
        }.All(v => v is null) && !SetsVerbConfigField() && !SetsPrivacyField();

    /// <summary>Whether a flag of a derived verb's settings sets a results-affecting field.</summary>
    protected virtual bool SetsVerbConfigField() => false;

    /// <summary>The config fields of a derived verb's flags, applied after the shared ones.</summary>
    protected virtual ExperimentConfig WithVerbFields(ExperimentConfig config) => config;

    /// <summary>
    /// Defaults (or a preset, or the config file, or else <paramref name="recorded"/>: the config of the run folder
    /// being resumed, so a resume does not depend on today's defaults), then the flags given (the shared ones, then
    /// <see cref="WithVerbFields"/>), then the options the model family derives (a module file's SHA-256).
    /// </summary>
    public ExperimentConfig ResolveConfig(ExperimentConfig? recorded = null)
    {
        var c = ConfigFile is not null ? ExperimentConfig.FromJsonFile(ConfigFile)
            : Preset is not null ? Presets.Get(Preset)
            : recorded ?? new ExperimentConfig();
        return Models.ModelRegistry.CreateDefault().Resolve(WithVerbFields(WithPrivacyFlags(c) with
        {
            Dataset = Dataset ?? c.Dataset,
            DataDir = DataDir ?? c.DataDir,
            Limit = Limit ?? c.Limit,
            Model = Model ?? c.Model,
            Epochs = Epochs ?? c.Epochs,
            EvalEvery = EvalEvery ?? c.EvalEvery,
            LearningRate = LearningRate ?? c.LearningRate,
            WeightDecay = WeightDecay ?? c.WeightDecay,
            Dedup = Dedup ?? c.Dedup,
            BatchSize = BatchSize ?? c.BatchSize,
            LatentDim = LatentDim ?? c.LatentDim,
            ImportanceSamples = ImportanceSamples ?? c.ImportanceSamples,
            EvalBatchSize = EvalBatchSize ?? c.EvalBatchSize,
            Seed = Seed ?? c.Seed,
            Threads = Threads ?? c.Threads,
            TrainBinarization = TrainBinarization ?? c.TrainBinarization,
            PadTo = PadTo ?? c.PadTo,
            Flip = Flip ?? c.Flip,
            Device = Device ?? c.Device,
            ModelOptions = c.ModelOptions.WithAssignments(ModelOptionAssignments()),
        }));
    }

    /// <summary>--model-option values, the shorthand flags first so an explicit --model-option of the same key wins.</summary>
    IEnumerable<string> ModelOptionAssignments()
    {
        if (FeatureMaps is int f) yield return $"feature-maps={f}";
        if (MixtureComponents is int k) yield return $"mixture-components={k}";
        foreach (string assignment in ModelOptions ?? []) yield return assignment;
    }
}
