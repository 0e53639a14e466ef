using MemScore.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with the same update as torch.optim.Adam (no weight decay, no
/// amsgrad), whose whole state (step count, first and second moments) is visible, so a task
/// checkpoint can store it in a plain .npz and a resumed task continues bit-identically.
///   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
/// The step is written for few passes over memory (it is a large share of a training step):
/// m in one lerp_, and the update as p -= (lr sqrt(1 - b2^t) / (1 - b1^t)) * m / (sqrt(v) + eps sqrt(1 - b2^t)),
/// the same quantity with one division pass fewer; gradients are dropped rather than zeroed, so
/// backward stores fresh ones instead of adding into zeros: six passes per parameter instead of ten
/// (counting the zeroing and the accumulation in backward); ~1.15x faster MLP VAE epochs (bench/README.md).
/// With weight decay wd &gt; 0 each step first shrinks the weights as torch.optim.AdamW does (decoupled weight
/// decay, Loshchilov &amp; Hutter 2019): p *= 1 - lr wd; at wd = 0 that multiplication is not made at all.
/// </summary>
public sealed class AdamOptimizer : IOptimizerCheckpoint, IDisposable
{
    readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    readonly Tensor[] _firstMoment;
    readonly Tensor[] _secondMoment;
    readonly Tensor[] _firstMomentWeight;   // 1 - b1 as a 0-d tensor of each parameter's dtype (lerp_ takes a tensor weight)
    readonly double _learningRate, _beta1, _beta2, _epsilon, _weightDecay;

    public long Step { get; private set; }

    public AdamOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be > 0");
        WeightDecayRule.Require(weightDecay, learningRate);
        _weightDecay = weightDecay;
        _parameters = parameters.ToList();
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _firstMoment = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        _secondMoment = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        using var k = new ScalarScope();
        _firstMomentWeight = _parameters.Select(p => full([], k[1 - beta1], p.Parameter.dtype).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Drops the gradients (torch's zero_grad(set_to_none: true)); the next backward stores new ones.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters) p.grad = null;
    }

    public void StepOnce()
    {
        Step++;
        double correction1 = 1 - Math.Pow(_beta1, Step);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, Step));
        // Scalars made once per step, kept alive through every call that reads them and then freed (ScalarScope).
        using var k = new ScalarScope();
        Scalar beta2 = k[_beta2], oneMinusBeta2 = k[1 - _beta2];
        Scalar epsilon = k[_epsilon * sqrtCorrection2], negativeStepSize = k[-_learningRate * sqrtCorrection2 / correction1];
        Scalar? shrink = _weightDecay > 0 ? k[1 - _learningRate * _weightDecay] : null;
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var p = _parameters[i].Parameter;
            using var grad = p.grad;   // a new handle on each access (PLATFORM.md)
            if (grad is null) continue;
            if (shrink is not null) p.mul_(shrink);
            _firstMoment[i].lerp_(grad, _firstMomentWeight[i]);
            _secondMoment[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using var denominator = _secondMoment[i].sqrt().add_(epsilon, k.One);
            p.addcdiv_(_firstMoment[i], denominator, negativeStepSize);
        }
    }

    /// <summary>State for checkpoints: names map to (first, second) moments; copies are exact.</summary>
    public IEnumerable<(string Name, Tensor First, Tensor Second)> State() =>
        _parameters.Select((p, i) => (p.Name, _firstMoment[i], _secondMoment[i]));

    long[] IOptimizerCheckpoint.StepCounts() => [Step];

    void IOptimizerCheckpoint.Restore(long[] steps, IReadOnlyDictionary<string, (float[] First, float[] Second)> moments) => Restore(steps[0], moments);

    public void Restore(long step, IReadOnlyDictionary<string, (float[] First, float[] Second)> moments)
    {
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            string name = _parameters[i].Name;
            if (!moments.TryGetValue(name, out var m))
                throw new ArgumentException($"checkpoint lacks optimizer state for '{name}'");
            long count = _firstMoment[i].numel();
            if (m.First.Length != count || m.Second.Length != count)
                throw new ArgumentException($"optimizer state for '{name}' has {m.First.Length} values, expected {count}");
            using var first = tensor(m.First, _firstMoment[i].shape);
            using var second = tensor(m.Second, _secondMoment[i].shape);
            _firstMoment[i].copy_(first);
            _secondMoment[i].copy_(second);
        }
        Step = step;
    }

    public void Dispose()
    {
        foreach (var t in _firstMoment.Concat(_secondMoment).Concat(_firstMomentWeight)) t.Dispose();
    }
}
