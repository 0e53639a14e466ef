using MemScore.Core;
using MemScore.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PixelBernoulliExample;

/// <summary>The family's options: one record with its defaults.</summary>
public sealed record PixelBernoulliOptions(double Smoothing = 0.01);

/// <summary>
/// A family outside the library: every pixel an independent Bernoulli variable with its own learned
/// probability p = s/2 + (1 - s) sigmoid(theta), where s is the "smoothing" option (keeps log p finite).
/// log p(x) = sum over pixels of x log p + (1 - x) log(1 - p) is exact, so no importance sampling.
/// </summary>
public static class PixelBernoulli
{
    public const string Name = "pixel-bernoulli";

    static readonly ModelOptionSchema<PixelBernoulliOptions> Schema = new ModelOptionSchema<PixelBernoulliOptions>(new())
        .Number("smoothing", "weight of the uniform distribution mixed into every pixel's probability",
            o => o.Smoothing, (o, v) => o with { Smoothing = v }, v => v >= 0 && v < 1, "a number in [0, 1)");

    public static readonly ModelFamily Family = ModelFamily.WithOptions(Name,
        "independent Bernoulli pixels (one learned probability per pixel); exact log p(x)",
        Schema, (context, options) => new PixelBernoulliModel(context, options.Smoothing), InputKind.Binary, exactLikelihood: true);
}

/// <summary>The model: one logit per pixel, trained with the library's Adam on the summed negative log-likelihood.</summary>
public sealed class PixelBernoulliModel : IDensityModel
{
    readonly Parameter _logits;
    readonly AdamOptimizer _optimizer;
    readonly double _smoothing;

    public PixelBernoulliModel(ModelContext context, double smoothing)
    {
        _smoothing = smoothing;
        using var generator = new Generator((ulong)context.InitSeed);
        using var k = new ScalarScope();
        using var initial = randn(context.InputShape, generator: generator).mul_(k[0.01]);
        _logits = new Parameter(initial.clone());
        _optimizer = new AdamOptimizer([("logits", _logits)], context.LearningRate);
    }

    public ModelDescription Describe() =>
        new(PixelBernoulli.Name, new Dictionary<string, string> { ["smoothing"] = _smoothing.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public double TrainStep(Tensor batch, Generator noise)
    {
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        var loss = LogP(batch).sum().neg();
        loss.backward();
        _optimizer.StepOnce();
        return loss.item<float>() / batch.shape[0];
    }

    public Tensor LogLikelihood(Tensor batch, Generator noise)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return LogP(batch).to_type(ScalarType.Float64).MoveToOuterDisposeScope();
    }

    /// <summary>log p(x) per example [B]: sum over pixels of x log p + (1 - x) log(1 - p).</summary>
    Tensor LogP(Tensor batch)
    {
        using var k = new ScalarScope();
        var p = sigmoid(_logits).mul(k[1 - _smoothing]).add(k[_smoothing / 2]);
        var perPixel = batch.mul(p.log()).add(batch.neg().add(k.One).mul(p.neg().add(k.One).log()));
        return perPixel.flatten(1).sum(1);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _logits.Dispose();
    }
}
