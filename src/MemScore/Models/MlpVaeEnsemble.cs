using MemScore.Core;
using MemScore.Likelihood;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// E Bernoulli MLP VAEs (<see cref="BernoulliMlpVaeNetwork"/>) trained as one network: every layer's
/// weight is stacked as [E, in, out] and bias as [E, out], and a layer is one batched matmul over
/// the member dimension. Member e starts with exactly the weights of a separate model initialised
/// from its own seed, takes its own minibatches and noise, and has its own Adam state, so it follows
/// separate training up to float round-off (the batched matmuls sum in another order).
/// </summary>
internal sealed class MlpVaeEnsemble : nn.Module
{

    readonly StackedLinear[] _encoder;
    readonly StackedLinear _mu;
    readonly StackedLinear _logvar;
    readonly StackedLinear[] _decoder;
    readonly EnsembleAdamOptimizer _optimizer;
    readonly int _importanceSamples;

    public int Members { get; }
    public int LatentDim { get; }
    public long InputSize { get; }
    public EnsembleAdamOptimizer Optimizer => _optimizer;

    /// <param name="initSeeds">One seed per member: member e's weights are those of <see cref="BernoulliMlpVae.Create"/> with InitSeed = initSeeds[e].</param>
    /// <param name="device">Where the weights live (null = CPU); inputs are moved there, noise is drawn on the CPU.</param>
    /// <param name="dtype">Weight type; float64 makes round-off negligible, which tests use to show the ensemble computes what separate models do.</param>
    public MlpVaeEnsemble(BernoulliMlpVaeOptions options, long inputSize, IReadOnlyList<long> initSeeds, double learningRate,
        int importanceSamples, Device? device = null, ScalarType dtype = ScalarType.Float32, double weightDecay = 0) : base(nameof(MlpVaeEnsemble))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(initSeeds);
        if (initSeeds.Count < 1) throw new ArgumentException("an ensemble needs at least one member", nameof(initSeeds));
        if (importanceSamples < 1) throw new ArgumentOutOfRangeException(nameof(importanceSamples), importanceSamples, "must be >= 1");
        Members = initSeeds.Count;
        LatentDim = options.LatentDim;
        InputSize = inputSize;
        _importanceSamples = importanceSamples;
        var members = initSeeds.Select(seed => InitialisedMember(options, inputSize, seed)).ToArray();
        try
        {
            var hidden = options.Hidden;
            _encoder = hidden.Select((_, i) => StackedLinear.From(members, $"encoder.{2 * i}", device, dtype)).ToArray();
            _mu = StackedLinear.From(members, "mu", device, dtype);
            _logvar = StackedLinear.From(members, "logvar", device, dtype);
            _decoder = Enumerable.Range(0, hidden.Length + 1).Select(i => StackedLinear.From(members, $"decoder.{2 * i}", device, dtype)).ToArray();
        }
        finally
        {
            foreach (var member in members) member.Dispose();
        }
        // Arrays of modules are invisible to RegisterComponents: every layer is registered by name.
        foreach (var (layer, i) in _encoder.Select((l, i) => (l, i))) register_module($"encoder{i}", layer);
        register_module("mu", _mu);
        register_module("logvar", _logvar);
        foreach (var (layer, i) in _decoder.Select((l, i) => (l, i))) register_module($"decoder{i}", layer);
        _optimizer = new EnsembleAdamOptimizer(named_parameters(), Members, learningRate, weightDecay: weightDecay);
    }

    static BernoulliMlpVaeNetwork InitialisedMember(BernoulliMlpVaeOptions options, long inputSize, long seed)
    {
        var network = new BernoulliMlpVaeNetwork(options, inputSize);
        using var generator = new Generator((ulong)seed);
        network.Initialize(generator);
        return network;
    }

    /// <summary>Stacked parameters, Adam moments and per-member step counts (<see cref="ModuleCheckpoint"/>); float32 ensembles only.</summary>
    public IReadOnlyDictionary<string, NpyArray> SaveState() => ModuleCheckpoint.Save(this, _optimizer);

    /// <param name="source">Names the checkpoint file in errors; a refused state leaves the ensemble unchanged.</param>
    public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) => ModuleCheckpoint.Load(this, _optimizer, state, source);

    /// <summary>Member e's parameters as views, named as in <see cref="BernoulliMlpVaeNetwork"/> (e.g. "encoder.0.weight").</summary>
    public IEnumerable<(string Name, Tensor Value)> MemberParameters(int member)
    {
        if (member < 0 || member >= Members) throw new ArgumentOutOfRangeException(nameof(member), member, $"expected 0..{Members - 1}");
        foreach (var layer in _encoder.Append(_mu).Append(_logvar).Concat(_decoder))
        {
            yield return (layer.MemberName + ".weight", layer.Weight.select(0, member).t());
            yield return (layer.MemberName + ".bias", layer.Bias.select(0, member));
        }
    }

    /// <summary>q(z|x) of every member for inputs [E, R, D]: mu and logvar [E, R, latent].</summary>
    (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var layer in _encoder) h = layer.Forward(h).relu_();
        return (_mu.Forward(h).MoveToOuterDisposeScope(), _logvar.Forward(h).MoveToOuterDisposeScope());
    }

    /// <summary>Decoder logits [E, R, D] for latents [E, R, latent].</summary>
    Tensor DecodeLogits(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = z;
        for (int i = 0; i < _decoder.Length - 1; i++) h = _decoder[i].Forward(h).relu_();
        return _decoder[^1].Forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One Adam step per member on its own minibatch; <paramref name="batches"/>[e] = null leaves member e
    /// untouched (its epoch has ended). Minibatches may differ in size: shorter ones are zero-padded and
    /// the padded rows masked out of the loss, so they add exact zeros to the gradients.
    /// Noise is drawn like <see cref="VariationalDensityModel.TrainStep"/>: randn([B_e, latent]) from <paramref name="noises"/>[e].
    /// </summary>
    /// <returns>Mean negative ELBO per example of each member (NaN for members without a batch).</returns>
    public double[] TrainStep(IReadOnlyList<Tensor?> batches, IReadOnlyList<Generator?> noises)
    {
        CheckPerMember(batches, nameof(batches));
        CheckPerMember(noises, nameof(noises));
        train();
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var sizes = batches.Select(b => b is null ? 0 : (int)b.shape[0]).ToArray();
        int rows = sizes.Max();
        if (rows == 0) throw new ArgumentException("no member has a batch", nameof(batches));
        var (device, dtype) = (_mu.Weight.device, _mu.Weight.dtype);
        var x = stack(batches.Select(b => PadRows(b?.reshape(b.shape[0], -1), rows, InputSize)).ToArray()).to(dtype, device);
        var eps = stack(Enumerable.Range(0, Members).Select(e => PadRows(
            sizes[e] == 0 ? null : randn([sizes[e], LatentDim], generator: noises[e] ?? throw new ArgumentNullException(nameof(noises), $"member {e} has a batch but no noise generator")),
            rows, LatentDim)).ToArray()).to(dtype, device);
        _optimizer.ZeroGrad();
        var perExample = NegativeElbo(x, eps);                              // [E, rows]
        if (sizes.Any(s => s != rows))
        {
            var mask = stack(sizes.Select(s => arange(k[0], k[rows], k[1]).lt(k[s])).ToArray()).to_type(perExample.dtype).to(device);
            perExample = perExample.mul(mask);
        }
        var perMember = perExample.sum(-1);
        var sums = perMember.to_type(ScalarType.Float64).cpu().data<double>().ToArray();   // float32 -> float64 is exact
        var losses = sums.Select((sum, e) => sizes[e] == 0 ? double.NaN : sum / sizes[e]).ToArray();
        if (losses.Where((_, e) => sizes[e] > 0).Any(l => !double.IsFinite(l))) return losses;
        perMember.sum().backward();
        _optimizer.StepOnce(sizes.Select(s => s > 0).ToArray());
        return losses;
    }

    /// <summary>Negative ELBO [E, R] of inputs x [E, R, D] in {0, 1} with noise eps [E, R, latent] (as in VariationalDensityModel).</summary>
    Tensor NegativeElbo(Tensor x, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var (mu, logvar) = Encode(x);
        var z = VariationalTerms.Reparameterize(eps, mu, logvar);
        var reconstruction = BernoulliLikelihood.LogProbabilityOfVectors(x, DecodeLogits(z));
        return VariationalTerms.NegativeElbo(reconstruction, mu, logvar).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Importance-sampled log p(x) and ESS, float64 [E, B], of images [B, ...] under every member
    /// (METHOD.md section 3, as <see cref="Likelihood.ImportanceSampler"/>); member e draws its
    /// [S, B, latent] noise block from <paramref name="noises"/>[e], as a separate model would.
    /// </summary>
    public (Tensor LogP, Tensor Ess) LogLikelihoodWithEss(Tensor images, IReadOnlyList<Generator> noises)
    {
        ArgumentNullException.ThrowIfNull(images);
        CheckPerMember(noises, nameof(noises));
        eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long count = images.shape[0];
        var (device, dtype) = (_mu.Weight.device, _mu.Weight.dtype);
        var x = images.reshape(count, -1).to(dtype, device);
        var eps = stack(noises.Select(g => randn([_importanceSamples, count, LatentDim], generator: g)).ToArray()).to(dtype, device);   // [E, S, B, L]
        var (mu, logvar) = Encode(x.unsqueeze(0).expand(Members, count, InputSize));
        var (memberMu, memberLogvar) = (mu.unsqueeze(1), logvar.unsqueeze(1));                    // [E, 1, B, L] against the samples
        var z = VariationalTerms.Reparameterize(eps, memberMu, memberLogvar);                     // [E, S, B, L]
        var logits = DecodeLogits(z.reshape(Members, -1, LatentDim)).reshape(Members, _importanceSamples, count, InputSize);
        var logLikelihood = BernoulliLikelihood.LogProbabilityOfVectors(x, logits);                // [E, S, B], x [B, D] broadcast
        var logWeights = VariationalTerms.LogImportanceWeights(logLikelihood, z, eps, memberLogvar);
        var (logp, ess) = VariationalTerms.ImportanceEstimate(logWeights, sampleDim: 1);
        return (logp.cpu().MoveToOuterDisposeScope(), ess.cpu().MoveToOuterDisposeScope());
    }

    void CheckPerMember<T>(IReadOnlyList<T> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count != Members) throw new ArgumentException($"{values.Count} values for {Members} members", name);
    }

    /// <summary>[rows, width]: <paramref name="t"/> followed by zero rows (all zeros when null).</summary>
    static Tensor PadRows(Tensor? t, int rows, long width)
    {
        if (t is null) return zeros(rows, width);
        if (t.shape[0] == rows) return t;
        return nn.functional.pad(t, [0, 0, 0, rows - t.shape[0]]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _optimizer?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// E linear layers: weight [E, in, out] (each member's Linear weight transposed: bmm with a transposed
    /// view ran ~2x slower here), bias [E, out]; y = x W + b as one bmm (not baddbmm: mis-bound in TorchSharp 0.107, PLATFORM.md).
    /// </summary>
    sealed class StackedLinear : nn.Module
    {
        public Parameter Weight { get; }
        public Parameter Bias { get; }
        public string MemberName { get; }

        StackedLinear(string memberName, Tensor weight, Tensor bias) : base("StackedLinear")
        {
            MemberName = memberName;
            Weight = new Parameter(weight);
            Bias = new Parameter(bias);
            register_parameter("weight", Weight);
            register_parameter("bias", Bias);
        }

        public static StackedLinear From(IReadOnlyList<BernoulliMlpVaeNetwork> members, string memberName, Device? device, ScalarType dtype)
        {
            using var scope = NewDisposeScope();
            var parameters = members.Select(m => m.named_parameters().ToDictionary(p => p.name, p => p.parameter)).ToArray();
            Tensor Stacked(string suffix, bool transpose)
            {
                string name = memberName + suffix;
                if (!parameters[0].ContainsKey(name)) throw new InvalidOperationException($"BernoulliMlpVaeNetwork has no parameter '{name}'");
                var stacked = stack(parameters.Select(p => transpose ? p[name].detach().t() : p[name].detach()).ToArray()).to_type(dtype);
                return (device is null ? stacked : stacked.to(device)).contiguous().DetachFromDisposeScope();
            }
            return new StackedLinear(memberName, Stacked(".weight", transpose: true), Stacked(".bias", transpose: false));
        }

        /// <summary>x [E, R, in] -> [E, R, out].</summary>
        public Tensor Forward(Tensor x)
        {
            using var k = new ScalarScope();
            using var bias = Bias.unsqueeze(1);
            return x.bmm(Weight).add_(bias, k.One);
        }
    }
}
