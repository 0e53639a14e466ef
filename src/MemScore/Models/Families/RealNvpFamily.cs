namespace MemScore.Models;

/// <summary>The RealNVP flow with its <see cref="RealNvpOptions"/> as model-options; log p(x) is exact.</summary>
internal static class RealNvpFamily
{
    public const int MaxScales = 10;
    public const int MaxHiddenChannels = 1024;

    static readonly ModelOptionSchema<RealNvpOptions> Schema = new ModelOptionSchema<RealNvpOptions>(new())
        .Integer("scales", "scales of couplings; every scale but the last halves H and W, so 2^scales must divide the image side",
            o => o.Scales, (o, v) => o with { Scales = v }, min: 1, max: MaxScales)
        .Integer("hidden-channels", "feature maps inside each coupling network",
            o => o.HiddenChannels, (o, v) => o with { HiddenChannels = v }, min: 1, max: MaxHiddenChannels)
        .Number("lambda", "margin of the logit transform y = logit(lambda + (1 - 2 lambda) x) (METHOD.md section 4)",
            o => o.Lambda, (o, v) => o with { Lambda = v }, v => v > 0 && v < 0.5, "a number in (0, 0.5)")
        .Number("reduced-temperature", "standard deviation of z for the non-stochastic (\"most likely\") samples of the sample analyses",
            o => o.ReducedTemperature, (o, v) => o with { ReducedTemperature = v }, v => v >= 0 && v <= 1, "a number in [0, 1]");

    public static readonly ModelFamily Family = ModelFamily.WithOptions(RealNvpFlow.FamilyName,
        "RealNVP flow (2 scales of affine couplings, 32-channel conv nets) on logit-transformed dequantized images; exact log p(x)",
        Schema, (c, o) => RealNvpFlow.Create(c, o), InputKind.Dequantized, exactLikelihood: true);
}
