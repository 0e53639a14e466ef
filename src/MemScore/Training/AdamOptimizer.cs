using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with the same update as torch.optim.Adam (no weight decay, no
/// amsgrad), whose whole state (step count, first and second moments) is visible, so a task
/// checkpoint can store it in a plain .npz and a resumed task continues bit-identically.
///   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    readonly Tensor[] _firstMoment;
    readonly Tensor[] _secondMoment;
    readonly double _learningRate, _beta1, _beta2, _epsilon;

    public long Step { get; private set; }

    public AdamOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be > 0");
        _parameters = parameters.ToList();
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _firstMoment = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
        _secondMoment = _parameters.Select(p => zeros_like(p.Parameter).DetachFromDisposeScope()).ToArray();
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    public void StepOnce()
    {
        Step++;
        double correction1 = 1 - Math.Pow(_beta1, Step);
        double sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, Step));
        double stepSize = _learningRate / correction1;
        using var _ = no_grad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[i].Parameter;
            var grad = p.grad;   // a new handle on each access (PLATFORM.md): owned by the scope
            if (grad is null) continue;
            _firstMoment[i].mul_(_beta1).add_(grad, alpha: 1 - _beta1);
            _secondMoment[i].mul_(_beta2).addcmul_(grad, grad, value: 1 - _beta2);
            var denominator = _secondMoment[i].sqrt().div_(sqrtCorrection2).add_(_epsilon);
            p.addcdiv_(_firstMoment[i], denominator, value: -stepSize);
        }
    }

    /// <summary>State for checkpoints: names map to (first, second) moments; copies are exact.</summary>
    public IEnumerable<(string Name, Tensor First, Tensor Second)> State() =>
        _parameters.Select((p, i) => (p.Name, _firstMoment[i], _secondMoment[i]));

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
        foreach (var t in _firstMoment.Concat(_secondMoment)) t.Dispose();
    }
}
