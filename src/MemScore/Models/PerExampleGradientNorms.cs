using MemScore.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Per-example gradient norms of a network made of Linear layers (plus parameter-free layers), without materialising a
/// per-example gradient. While attached, forward hooks keep each Linear's output and the squared norm of each example's
/// input. For one example i, a Linear's weight gradient is the outer product g_i a_i^T (g_i = dL_i/d(output_i), a_i its
/// input) and its bias gradient is g_i, so
///   ||grad_i||^2 = sum over layers of ||g_i||^2 (||a_i||^2 + 1)
/// (Goodfellow 2015, "Efficient per-example gradient computations"). The g_i of all examples come from one backward pass
/// of the summed loss to the layer outputs, which holds because no layer mixes examples (no batch norm).
/// </summary>
internal sealed class PerExampleGradientNorms : IDisposable
{
    readonly List<Tensor> _outputs = [];
    readonly List<Tensor> _inputSquaredNorms = [];
    readonly List<Action> _removeHooks = [];

    /// <summary>Hooks every Linear of <paramref name="module"/>; refuses a module with parameters outside Linear layers.</summary>
    public PerExampleGradientNorms(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var linears = module.modules().OfType<Linear>().ToArray();
        long covered = linears.Sum(l => l.parameters().Sum(p => p.numel()));
        long all = module.parameters().Sum(p => p.numel());
        if (covered != all || linears.Any(l => l.bias is null))
            throw new NotSupportedException("per-example gradient norms need a network whose parameters are all in Linear layers with bias");
        foreach (var linear in linears)
        {
            var hook = linear.register_forward_hook(Record);
            _removeHooks.Add(() => hook.remove());
        }
    }

    Tensor Record(nn.Module<Tensor, Tensor> layer, Tensor input, Tensor output)
    {
        using (no_grad())
        {
            using var flat = input.detach().reshape(input.shape[0], -1);
            _inputSquaredNorms.Add(flat.mul(flat).sum(1).DetachFromDisposeScope());
        }
        _outputs.Add(output.DetachFromDisposeScope());
        return output.alias();   // the caller may dispose what it gets back; the recorded output stays in the graph
    }

    /// <summary>||grad_i L_i|| of every example [B] (float64), from the graph of <paramref name="lossSum"/> = sum_i L_i (kept for a second backward).</summary>
    public Tensor Norms(Tensor lossSum)
    {
        if (_outputs.Count == 0) throw new InvalidOperationException("no Linear layer ran since the hooks were attached");
        using var scope = NewDisposeScope();
        var outputGradients = autograd.grad([lossSum], _outputs, retain_graph: true);
        using var k = new ScalarScope();
        Tensor? total = null;
        for (int layer = 0; layer < _outputs.Count; layer++)
        {
            var g = outputGradients[layer].to_type(ScalarType.Float64);
            var gSquared = g.mul(g).sum(1);
            var term = gSquared.mul(_inputSquaredNorms[layer].to_type(ScalarType.Float64).add(k.One, k.One));
            total = total is null ? term : total.add_(term, k.One);
        }
        return total!.sqrt_().MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var remove in _removeHooks) remove();
        foreach (var t in _outputs) t.Dispose();
        foreach (var t in _inputSquaredNorms) t.Dispose();
    }
}
