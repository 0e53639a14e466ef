using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// One model family: its --model name, a one-line description, how to build it, the kind of input it
/// models (which decides how the data are prepared; <see cref="InputKind"/>), and whether its log p(x)
/// is exact (flows) rather than importance-sampled with S samples. <see cref="Options"/> lists and
/// validates its model-options; <see cref="Ensembles"/> says whether --fold-ensembles can train it.
/// </summary>
public sealed record ModelFamily(string Name, string Description, Func<ModelContext, IDensityModel> Create,
    InputKind Input = InputKind.Binary, bool ExactLikelihood = false)
{
    public IModelOptionSchema Options { get; init; } = NoModelOptions.Schema;

    /// <summary>The K fold models of a repeat can be trained as one batched network (--fold-ensembles).</summary>
    public bool Ensembles { get; init; }

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
    /// record made from the config's model-options (defaults for the keys not given).
    /// </summary>
    public static ModelFamily WithOptions<TOptions>(string name, string description, ModelOptionSchema<TOptions> options,
        Func<ModelContext, TOptions, IDensityModel> create, InputKind input, bool exactLikelihood = false) where TOptions : class =>
        new(name, description, context => create(context, options.Bind(context.Options, name)), input, exactLikelihood) { Options = options };
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
        .Add(DcVaeFamilies.LogisticMixture);

    public ModelRegistry Add(ModelFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        if (!_families.TryAdd(family.Name, family))
            throw new ArgumentException($"model '{family.Name}' registered twice", nameof(family));
        return this;
    }

    public IEnumerable<string> Names => _families.Keys;
    public IReadOnlyCollection<ModelFamily> All => _families.Values;
    public bool Contains(string name) => _families.ContainsKey(name);

    public ModelFamily Get(string name) =>
        _families.TryGetValue(name, out var family) ? family
        : throw new InvalidConfigurationException($"unknown model '{name}': expected one of {string.Join(", ", _families.Keys)}");
}
