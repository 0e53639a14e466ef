using MemScore.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Adam over parameters stacked along a leading member dimension [E, ...]: member e's slice gets
/// exactly the update <see cref="AdamOptimizer"/> gives a separate model (the same elementwise ops
/// in the same order), with its own step count. Members can be left out of a step (a member whose
/// epoch has fewer batches), which leaves their weights and moments untouched. Weight decay as in
/// <see cref="AdamOptimizer"/> (decoupled, not made at all when 0).
/// </summary>
internal sealed class EnsembleAdamOptimizer : IOptimizerCheckpoint, IDisposable
{
    readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    readonly Tensor[] _firstMoment;
    readonly Tensor[] _secondMoment;
    readonly long[] _steps;
    readonly double _learningRate, _beta1, _beta2, _epsilon, _weightDecay;

    public EnsembleAdamOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, int members, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "must be >= 1");
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be > 0");
        WeightDecayRule.Require(weightDecay, learningRate);
        _weightDecay = weightDecay;
        _parameters = parameters.ToList();
        foreach (var (name, p) in _parameters)
            if (p.dim() < 1 || p.shape[0] != members)
                throw new ArgumentException($"parameter '{name}' has shape ({string.Join(", ", p.shape)}), expected a leading dimension of {members} members");
        _steps = new long[members];
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _firstMoment = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        _secondMoment = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
    }

    public int Members => _steps.Length;

    /// <summary>Steps taken by each member.</summary>
    public IReadOnlyList<long> Steps => _steps;

    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam step for the members with <paramref name="active"/>[e] = true.</summary>
    public void StepOnce(IReadOnlyList<bool> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        if (active.Count != Members) throw new ArgumentException($"{active.Count} flags for {Members} members", nameof(active));
        var members = Enumerable.Range(0, Members).Where(e => active[e]).ToArray();
        foreach (int e in members) _steps[e]++;
        using var _ = no_grad();
        // All members in step: one update over the stacked tensors. Otherwise each active member's slice alone.
        if (members.Length == Members && _steps.All(s => s == _steps[0]))
            Update(_steps[0], null);
        else
            foreach (int e in members) Update(_steps[e], e);
    }

    void Update(long step, int? member)
    {
        // The same arithmetic as AdamOptimizer.StepOnce (lerp_ for m, epsilon folded into the bias
        // correction), so each member's slice is bit-identical to a separately trained model.
        double correction1 = 1 - Math.Pow(_beta1, step);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, step));
        using var k = new ScalarScope();
        Scalar beta2 = k[_beta2], oneMinusBeta2 = k[1 - _beta2], oneMinusBeta1 = k[1 - _beta1];
        Scalar epsilon = k[_epsilon * sqrtCorrection2], negativeStepSize = k[-_learningRate * sqrtCorrection2 / correction1];
        Scalar? shrink = _weightDecay > 0 ? k[1 - _learningRate * _weightDecay] : null;
        for (int i = 0; i < _parameters.Count; i++)
        {
            using var scope = NewDisposeScope();
            var grad = _parameters[i].Parameter.grad;   // a new handle on each access (PLATFORM.md): owned by the scope
            if (grad is null) continue;
            Tensor Slice(Tensor t) => member is int e ? t.select(0, e) : t;
            var p = Slice(_parameters[i].Parameter);
            var g = Slice(grad);
            var m = Slice(_firstMoment[i]);
            var v = Slice(_secondMoment[i]);
            if (shrink is not null) p.mul_(shrink);
            m.lerp_(g, full([], oneMinusBeta1, m.dtype));
            v.mul_(beta2).addcmul_(g, g, oneMinusBeta2);
            var denominator = v.sqrt().add_(epsilon, k.One);
            p.addcdiv_(m, denominator, negativeStepSize);
        }
    }

    /// <summary>Stacked moments [E, ...] named like the parameters, for checkpoints.</summary>
    public IEnumerable<(string Name, Tensor First, Tensor Second)> State() =>
        _parameters.Select((p, i) => (p.Name, _firstMoment[i], _secondMoment[i]));

    public long[] StepCounts() => _steps.ToArray();

    /// <summary>Puts checkpointed moments and per-member step counts back; exact copies.</summary>
    public void Restore(long[] steps, IReadOnlyDictionary<string, (float[] First, float[] Second)> moments)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(moments);
        if (steps.Length != Members) throw new ArgumentException($"{steps.Length} step counts for {Members} members", nameof(steps));
        for (int i = 0; i < _parameters.Count; i++)   // all checked before anything changes
        {
            string name = _parameters[i].Name;
            if (!moments.TryGetValue(name, out var m)) throw new ArgumentException($"checkpoint lacks optimizer state for '{name}'");
            long count = _firstMoment[i].numel();
            if (m.First.Length != count || m.Second.Length != count)
                throw new ArgumentException($"optimizer state for '{name}' has {m.First.Length} values, expected {count}");
        }
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var m = moments[_parameters[i].Name];
            using var first = tensor(m.First, _firstMoment[i].shape);
            using var second = tensor(m.Second, _secondMoment[i].shape);
            _firstMoment[i].copy_(first);
            _secondMoment[i].copy_(second);
        }
        steps.CopyTo(_steps, 0);
    }

    /// <summary>The moments of one member (views), named like the parameters.</summary>
    public IEnumerable<(string Name, Tensor First, Tensor Second)> MemberState(int member) =>
        _parameters.Select((p, i) => (p.Name, _firstMoment[i].select(0, member), _secondMoment[i].select(0, member)));

    public void Dispose()
    {
        foreach (var t in _firstMoment.Concat(_secondMoment)) t.Dispose();
    }
}
