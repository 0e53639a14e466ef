using static TorchSharp.torch;

namespace MemScore.Tests.Likelihood;

/// <summary>Float64 central finite differences against autograd, for every element of every checked input.</summary>
public static class GradientCheck
{
    /// <summary>
    /// Checks d(sum(weights * f(inputs)))/d(input) for each input in <paramref name="checkedInputs"/> (indices into
    /// <paramref name="inputs"/>, all float64). Random output weights in [0.5, 1.5) make every output element count.
    /// Passes when |numeric - autograd| &lt;= tolerance * max(1, |autograd|) for every element.
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, int[] checkedInputs, double step = 1e-6, double tolerance = 1e-6)
    {
        using var scope = NewDisposeScope();
        var leaves = inputs.Select((t, i) => checkedInputs.Contains(i) ? t.detach().clone().requires_grad_(true) : t).ToArray();
        var output = f(leaves);
        using var generator = new Generator(17);
        var weights = rand(output.shape, dtype: ScalarType.Float64, generator: generator).add_(0.5);
        output.mul(weights).sum().backward();
        foreach (int index in checkedInputs)
        {
            var analytic = leaves[index].grad!.data<double>().ToArray();
            var values = leaves[index].detach().data<double>().ToArray();
            var shape = leaves[index].shape;
            for (int e = 0; e < values.Length; e++)
            {
                double original = values[e];
                values[e] = original + step;
                double plus = Evaluate(f, leaves, index, values, shape, weights);
                values[e] = original - step;
                double minus = Evaluate(f, leaves, index, values, shape, weights);
                values[e] = original;
                double numeric = (plus - minus) / (2 * step);
                Assert.True(Math.Abs(numeric - analytic[e]) <= tolerance * Math.Max(1, Math.Abs(analytic[e])),
                    $"input {index}, element {e}: finite difference {numeric}, autograd {analytic[e]}");
            }
        }
    }

    static double Evaluate(Func<Tensor[], Tensor> f, Tensor[] leaves, int index, double[] values, long[] shape, Tensor weights)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var replacement = tensor(values, shape);
        var arguments = leaves.Select((t, i) => i == index ? replacement : t.detach()).ToArray();
        return f(arguments).mul(weights).sum().item<double>();
    }
}
