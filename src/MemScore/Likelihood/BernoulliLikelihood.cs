using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>Independent Bernoulli sub-pixels parameterised by logits.</summary>
public static class BernoulliLikelihood
{
    /// <summary>
    /// log p(x | logits) summed over the last three dimensions [C, H, W]: log sigmoid((2x - 1) logit) per
    /// sub-pixel, exact for x in {0, 1} and free of the log(0) a sigmoid + cross-entropy would need.
    /// Leading dimensions broadcast (x [B, C, H, W] against logits [S, B, C, H, W] gives [S, B]).
    /// </summary>
    public static Tensor LogProbability(Tensor x, Tensor logits)
    {
        using var scope = NewDisposeScope();
        using var k = new ScalarScope();
        var sign = x.mul(k[2]).sub_(k[1]);
        var perPixel = nn.functional.logsigmoid(logits.mul(sign));
        return perPixel.sum([-3, -2, -1]).MoveToOuterDisposeScope();
    }
}
