namespace MemScore.Models;

/// <summary>
/// What a model family's images look like when they reach it. The data pipeline prepares one
/// fixed, seeded version of every example for evaluation (METHOD.md defect 4) and fresh draws for
/// training where the kind has randomness.
/// </summary>
public enum InputKind
{
    /// <summary>{0, 1} per sub-pixel: one Bernoulli draw with the grey level as probability.</summary>
    Binary,

    /// <summary>
    /// Uniformly dequantized 8-bit values in (0, 1): (k + u) / 256, u ~ U(0, 1). The model reports
    /// log p in 8-bit pixel space (METHOD.md section 4), e.g. through <see cref="Likelihood.LogitTransform"/>.
    /// </summary>
    Dequantized,

    /// <summary>The 8-bit values themselves, k / 255 in [0, 1] (discrete likelihoods such as a logistic mixture).</summary>
    Discrete8Bit,
}

/// <summary>The names of <see cref="InputKind"/> in files (run.json) and messages.</summary>
internal static class InputKindNames
{
    public static string ToName(InputKind kind) => kind switch
    {
        InputKind.Binary => "binary",
        InputKind.Dequantized => "dequantized",
        InputKind.Discrete8Bit => "discrete-8bit",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static InputKind Parse(string name, string source) =>
        Enum.GetValues<InputKind>().FirstOrDefault(k => ToName(k) == name, (InputKind)(-1)) is var kind && Enum.IsDefined(kind) ? kind
        : throw new Core.InvalidInputException(source, $"input_kind = '{name}': expected binary, dequantized or discrete-8bit");
}
