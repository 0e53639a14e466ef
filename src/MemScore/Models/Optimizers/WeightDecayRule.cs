namespace MemScore.Models;

/// <summary>The accepted values of decoupled weight decay, shared by the optimizers and the config check.</summary>
internal static class WeightDecayRule
{
    /// <summary>Far above any useful setting (AdamW's usual range is 1e-4..1e-1); keeps 1 - lr wd a shrink, not a sign flip.</summary>
    public const double Max = 1000;

    /// <summary>True for a finite wd in [0, <see cref="Max"/>] with lr wd &lt; 1 (each step keeps a positive share of the weights).</summary>
    public static bool Accepts(double weightDecay, double learningRate) =>
        double.IsFinite(weightDecay) && weightDecay >= 0 && weightDecay <= Max && learningRate * weightDecay < 1;

    public static void Require(double weightDecay, double learningRate)
    {
        if (!Accepts(weightDecay, learningRate))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"must be finite, in 0..{Max}, with learning rate x weight decay < 1");
    }
}
