using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>
/// Fresh weights for a module without reset_parameters(), by PyTorch's default rules, recognised from
/// parameter names and shapes (a TorchScript module does not expose layer types):
/// - "P.weight" with 2+ dimensions (Linear, Conv, ConvTranspose): U(-b, b), b = 1/sqrt(fan_in),
///   fan_in = size(1) x the kernel's elements (kaiming_uniform_ with a = sqrt(5)); "P.bias" beside it: the same b;
/// - "P.weight" with 1 dimension beside "P.bias" (BatchNorm, LayerNorm, GroupNorm): 1 and 0; batch-norm
///   buffers: running_mean 0, running_var 1, num_batches_tracked 0.
/// Draws follow named_parameters() order, from one seeded generator. Any other parameter is refused.
/// </summary>
internal static class DefaultInitialization
{
    public static void Apply(nn.Module module, Generator generator, string source)
    {
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var plan = parameters.Select(p => (p.Value, Rule(p.Key, parameters, source))).ToList();   // refuse before changing anything
        using var _ = no_grad();
        using var k = new ScalarScope();
        foreach (var (parameter, (bound, fill)) in plan)
        {
            if (bound is double b) parameter.uniform_(-b, b, generator);
            else parameter.fill_(k[fill!.Value]);
        }
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.fill_(k[1.0]);
            else if (name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) buffer.zero_();
        }
    }

    /// <summary>A uniform bound b for U(-b, b), or a constant fill.</summary>
    static (double? Bound, double? Fill) Rule(string name, IReadOnlyDictionary<string, Tensor> parameters, string source)
    {
        string prefix = name.Contains('.') ? name[..name.LastIndexOf('.')] + "." : "";
        string leaf = name[prefix.Length..];
        parameters.TryGetValue(prefix + "weight", out var weight);
        if (leaf == "weight" && weight!.dim() >= 2) return (1.0 / Math.Sqrt(FanIn(weight)), null);
        if (leaf == "bias" && weight is not null && weight.dim() >= 2) return (1.0 / Math.Sqrt(FanIn(weight)), null);
        if (leaf == "weight" && weight!.dim() == 1 && parameters.ContainsKey(prefix + "bias")) return (null, 1.0);
        if (leaf == "bias" && weight is not null && weight.dim() == 1) return (null, 0.0);
        throw new InvalidInputException(source,
            $"parameter '{name}' (shape [{string.Join(", ", parameters[name].shape)}]) is not a Linear, Conv or normalisation weight or bias, so MemScore " +
            "has no default rule for its initial value: define reset_parameters() in the module, or start every task from the file's weights (--model-init file)");
    }

    static double FanIn(Tensor weight) => weight.shape.Skip(1).Aggregate(1.0, (a, b) => a * b);
}
