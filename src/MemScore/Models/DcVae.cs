using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>Builds a DC-VAE family's trainable model from a head (shared by the four families).</summary>
internal static class DcVae
{
    public static IDensityModel Create(string familyName, ModelContext context, DcVaeOptions options, Func<long, DcVaeHead> head)
    {
        ArgumentNullException.ThrowIfNull(context);
        DcVaeNetwork.RequireShape(context.InputShape);
        var network = new DcVaeNetwork(options, context.InputShape, head(context.InputShape[0]));
        using (var generator = new Generator((ulong)context.InitSeed))
            network.Initialize(generator);
        var settings = new Dictionary<string, string>
        {
            ["latent_dim"] = options.LatentDim.ToString(),
            ["feature_maps"] = options.FeatureMaps.ToString(),
            ["input"] = string.Join("x", context.InputShape),
        };
        foreach (var (key, value) in network.HeadSettings) settings[key] = value;
        if (options.Dropout > 0) settings["dropout"] = options.Dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        return new VariationalDensityModel(network, network, new ModelDescription(familyName, settings), context.LearningRate, context.ImportanceSamples, context.Device, context.WeightDecay);
    }
}
