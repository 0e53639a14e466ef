namespace MemScore.Models;

/// <summary>The dropout model-option, declared the same way by every family that has dropout layers.</summary>
internal static class DropoutOption
{
    public const string Key = "dropout";

    /// <summary>Adds "dropout": a probability in [0, <see cref="SeededDropout.MaxProbability"/>], default 0 (no dropout layers).</summary>
    public static ModelOptionSchema<TOptions> Dropout<TOptions>(this ModelOptionSchema<TOptions> schema, Func<TOptions, double> get,
        Func<TOptions, double, TOptions> set) where TOptions : class =>
        schema.Number(Key, "dropout probability after every hidden activation while training (off when scoring); 0 = none; limits memorization",
            get, set, p => p >= 0 && p <= SeededDropout.MaxProbability, $"a number in [0, {SeededDropout.MaxProbability}]");
}
