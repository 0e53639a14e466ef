using MemScore.Core;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// nn.BatchNorm2d with the same parameters, buffers, names, defaults and arithmetic, whose forward keeps
/// its Scalars alive: TorchSharp 0.107's BatchNorm counts batches with <c>num_batches_tracked.add_(1)</c>,
/// two implicit Scalars that another thread's collection may free mid-call (<see cref="ScalarScope"/>).
/// </summary>
internal sealed class ScalarSafeBatchNorm2d : nn.Module<Tensor, Tensor>
{
    const double Eps = 1e-5, Momentum = 0.1;   // nn.BatchNorm2d's defaults

    // Named as torch names them (RegisterComponents uses the field names; checkpoints and parity fixtures rely
    // on them), and not readonly: Module.to replaces moved tensors in the fields of the same name.
    Parameter weight;
    Parameter bias;
    Tensor running_mean;
    Tensor running_var;
    Tensor num_batches_tracked;

    public ScalarSafeBatchNorm2d(long features) : base("BatchNorm2d")
    {
        weight = nn.Parameter(ones(features));
        bias = nn.Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4) throw new ArgumentException($"expected 4D input (got {input.dim()}D input)", nameof(input));
        if (training)
        {
            using var k = new ScalarScope();
            num_batches_tracked.add_(k[1], k.One);
        }
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, Momentum, Eps);
    }
}

/// <summary>nn.LeakyReLU with its slope passed as a kept Scalar (TorchSharp 0.107's converts it implicitly on every call).</summary>
internal sealed class ScalarSafeLeakyReLU(double negativeSlope) : nn.Module<Tensor, Tensor>("LeakyReLU")
{
    public override Tensor forward(Tensor input)
    {
        using var k = new ScalarScope();
        return input.leaky_relu(k[negativeSlope]);
    }
}
