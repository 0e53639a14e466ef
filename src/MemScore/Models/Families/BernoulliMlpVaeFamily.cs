namespace MemScore.Models;

/// <summary>The model-options of the Bernoulli MLP VAE: its size follows --latent-dim; dropout is a lever against memorization.</summary>
internal sealed record MlpVaeFamilyOptions(double Dropout = 0);

/// <summary>The paper's MNIST model; the one family trained as fold ensembles (with its default options).</summary>
internal static class BernoulliMlpVaeFamily
{
    static readonly ModelOptionSchema<MlpVaeFamilyOptions> Schema = new ModelOptionSchema<MlpVaeFamilyOptions>(new())
        .Dropout(o => o.Dropout, (o, v) => o with { Dropout = v });

    public static readonly ModelFamily Family = ModelFamily.WithOptions(BernoulliMlpVae.FamilyName,
        "Bernoulli MLP VAE of the paper (encoder 1024-512-256 ReLU counting the 32x32 input, latent 16, decoder 16-256-512-1024 sigmoid) for binarized images",
        Schema, (c, o) => BernoulliMlpVae.Create(c, o.Dropout), InputKind.Binary) with
    {
        Ensembles = true,
        PyTorchModule = "MlpVae(pixels, latent) of examples/torchscript/mlp_vae.py (with dropout: with_dropout of examples/torchscript/load_exported.py)",
    };
}
