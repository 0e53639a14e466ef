using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>Independent Bernoulli sub-pixels parameterised by logits.</summary>
internal static class BernoulliLikelihood
{
    /// <summary>
    /// log p(x | logits) summed over the last three dimensions [C, H, W]: log sigmoid((2x - 1) logit) per
    /// sub-pixel, exact for x in {0, 1} and free of the log(0) a sigmoid + cross-entropy would need.
    /// Leading dimensions broadcast (x [B, C, H, W] against logits [S, B, C, H, W] gives [S, B]).
    /// </summary>
    public static Tensor LogProbability(Tensor x, Tensor logits)
    {
        using var perPixel = PerSubPixel(x, logits);
        return perPixel.sum([-3, -2, -1]);
    }

    /// <summary>The same for flattened images: x [B, D] against logits [..., B, D] gives [..., B] (summed over D only).</summary>
    public static Tensor LogProbabilityOfVectors(Tensor x, Tensor logits)
    {
        using var perPixel = PerSubPixel(x, logits);
        return perPixel.sum(-1);
    }

    /// <summary>log sigmoid((2x - 1) logit): +logit where x = 1, -logit where x = 0.</summary>
    static Tensor PerSubPixel(Tensor x, Tensor logits)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var sign = x.mul(k[2]).sub_(k[1]);
        return nn.functional.logsigmoid(logits.mul(sign)).MoveToOuterDisposeScope();
    }
}
