namespace MemScore.Models;

/// <summary>The paper's MNIST model: no model-options (its size follows --latent-dim); the one family trained as fold ensembles.</summary>
public static class BernoulliMlpVaeFamily
{
    public static readonly ModelFamily Family = new(BernoulliMlpVae.FamilyName,
        "Bernoulli MLP VAE of the paper (encoder 1024-512-256 ReLU counting the 32x32 input, latent 16, decoder 16-256-512-1024 sigmoid) for binarized images",
        BernoulliMlpVae.Create, InputKind.Binary)
    {
        Ensembles = true,
    };
}
