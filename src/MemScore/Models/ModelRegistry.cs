using System.Collections.Concurrent;
using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// One model family: its --model name, a one-line description, how to build it, the kind of input it
/// models (which decides how the data are prepared; <see cref="InputKind"/>; <see cref="InputFor"/> where
/// its options choose it), and whether its log p(x) is exact (flows) rather than importance-sampled with
/// S samples. <see cref="Options"/> lists and validates its model-options; <see cref="Ensembles"/> says
/// whether --fold-ensembles can train it.
/// </summary>
public sealed record ModelFamily(string Name, string Description, Func<ModelContext, IDensityModel> Create,
    InputKind Input = InputKind.Binary, bool ExactLikelihood = false)
{
    public IModelOptionSchema Options { get; init; } = NoModelOptions.Schema;

    /// <summary>The input kind for valid <paramref name="options"/>: <see cref="Input"/> unless the family's options choose it.</summary>
    public InputKind InputFor(ModelOptionValues options) => InputFromOptions?.Invoke(options) ?? Input;

    /// <summary>How the options choose the input kind (null: they do not; always <see cref="Input"/>).</summary>
    public Func<ModelOptionValues, InputKind>? InputFromOptions { get; init; }

    /// <summary>
    /// The options as a config records them once it is resolved (<see cref="ModelRegistry.Resolve"/>): values the
    /// family derives from the given ones so that they enter the config hash, e.g. the SHA-256 of a module file.
    /// Identity by default; never called with options that name a missing file.
    /// </summary>
    public Func<ModelOptionValues, ModelOptionValues> Resolve { get; init; } = options => options;

    /// <summary>
    /// The results scheme of this family's runs (<see cref="Core.ResultsScheme"/>): raised by a family whose own results
    /// change (so its old folders are refused, naming both schemes) while every other family keeps its hashes.
    /// </summary>
    public int ResultsScheme { get; init; } = Core.ResultsScheme.Current;

    /// <summary>The K fold models of a repeat can be trained as one batched network (--fold-ensembles).</summary>
    public bool Ensembles { get; init; }

    /// <summary>
    /// The PyTorch module whose state_dict() keys, shapes and dtypes match this family's parameters and buffers, in words
    /// (e.g. a class in examples/): --export-pytorch writes state dicts that load into it. Null: the family cannot be exported.
    /// </summary>
    public string? PyTorchModule { get; init; }

    /// <summary>
    /// What the sanity pass before any folder is written does with a fresh model and two examples
    /// (Execution.ModelSanityCheck); by default one training step and one log p(x), the two calls every task makes.
    /// </summary>
    public Action<IDensityModel, Tensor, Generator> SanityBatch { get; init; } = TrainAndScore;

    static void TrainAndScore(IDensityModel model, Tensor batch, Generator noise)
    {
        model.TrainStep(batch, noise);
        model.LogLikelihood(batch, noise).Dispose();
    }

    /// <summary>
    /// A family whose options bind to <typeparamref name="TOptions"/>: <paramref name="create"/> gets the
    /// record made from the config's model-options (defaults for the keys not given). <paramref name="inputOf"/>, when
    /// given, chooses the input kind from the options (<paramref name="input"/> is then what `memscore models` shows by default).
    /// </summary>
    public static ModelFamily WithOptions<TOptions>(string name, string description, ModelOptionSchema<TOptions> options,
        Func<ModelContext, TOptions, IDensityModel> create, InputKind input, bool exactLikelihood = false,
        Func<TOptions, InputKind>? inputOf = null) where TOptions : class =>
        new(name, description, context => create(context, options.Bind(context.Options, name)), input, exactLikelihood)
        {
            Options = options,
            InputFromOptions = inputOf is null ? null : values => inputOf(options.Bind(values, name)),
        };
}

/// <summary>
/// Model families keyed by name. Each family is defined in Models/Families with its options; adding one
/// = one file there and one line here; nothing else grows.
/// </summary>
public sealed class ModelRegistry
{
    readonly Dictionary<string, ModelFamily> _families = new(StringComparer.Ordinal);

    public static ModelRegistry CreateDefault() => new ModelRegistry()
        .Add(BernoulliMlpVaeFamily.Family)
        .Add(RealNvpFamily.Family)
        .Add(DcVaeFamilies.Bernoulli)
        .Add(DcVaeFamilies.Gaussian)
        .Add(DcVaeFamilies.ConstantGaussian)
        .Add(DcVaeFamilies.LogisticMixture)
        .Add(TorchScript.TorchScriptFamily.Family);

    public ModelRegistry Add(ModelFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (!_families.TryAdd(family.Name, family))
            throw new ArgumentException($"model '{family.Name}' registered twice", nameof(family));
        int scheme = DeclaredSchemes.GetOrAdd(family.Name, family.ResultsScheme);
        if (scheme != family.ResultsScheme)
            throw new ArgumentException($"model '{family.Name}' is registered with results scheme {scheme} elsewhere, here with {family.ResultsScheme}", nameof(family));
        return this;
    }

    /// <summary>The results scheme of each family name ever added to a registry in this process (the built-ins at least).</summary>
    static readonly ConcurrentDictionary<string, int> DeclaredSchemes = new(StringComparer.Ordinal);
    static readonly Lazy<ModelRegistry> BuiltIn = new(CreateDefault);

    /// <summary>
    /// The results scheme under which this MemScore makes the results of --model <paramref name="model"/>, as its family
    /// declares it (<see cref="ModelFamily.ResultsScheme"/>); <see cref="Core.ResultsScheme.Current"/> for a name no
    /// registry holds. Config hashes and run folders need it where no registry is at hand (run.json read by `status`).
    /// </summary>
    public static int ResultsSchemeOf(string model)
    {
        _ = BuiltIn.Value;
        return DeclaredSchemes.TryGetValue(model, out int scheme) ? scheme : Core.ResultsScheme.Current;
    }

    public IEnumerable<string> Names => _families.Keys;
    public IReadOnlyCollection<ModelFamily> All => _families.Values;
    public bool Contains(string name) => _families.ContainsKey(name);

    public ModelFamily Get(string name) =>
        _families.TryGetValue(name, out var family) ? family
        : throw new InvalidConfigurationException($"unknown model '{name}': expected one of {string.Join(", ", _families.Keys)}");
}
