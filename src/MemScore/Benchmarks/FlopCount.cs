using MemScore.Models;

namespace MemScore.Benchmarks;

/// <summary>
/// Multiply-adds of one image through a network's convolutions and linear layers, split into the part run
/// once per image (encoder; a flow's whole forward pass) and the part run once per latent sample (decoder).
/// Element-wise work (activations, batch-norm, likelihoods) is not counted, so achieved GFLOP/s is a lower bound.
/// </summary>
internal sealed record FlopCount(long EncoderMacs, long DecoderMacs)
{
    /// <summary>Training FLOPs per image: forward once through both parts, backward ~2x forward (2 FLOPs per multiply-add).</summary>
    public double TrainingFlopsPerImage => 3 * 2.0 * (EncoderMacs + DecoderMacs);

    /// <summary>FLOPs of one image's log p(x): encoder once, decoder once per sample (METHOD.md section 3).</summary>
    public double LogLikelihoodFlopsPerImage(int samples) => 2.0 * (EncoderMacs + (long)samples * DecoderMacs);

    public static long Linear(long inputs, long outputs) => inputs * outputs;

    /// <summary>A convolution producing <paramref name="outSide"/> x <paramref name="outSide"/> outputs with a k x k kernel.</summary>
    public static long Conv(long inChannels, long outChannels, long kernel, long outSide) =>
        inChannels * outChannels * kernel * kernel * outSide * outSide;

    /// <summary>A transposed convolution: every input pixel scatters a k x k kernel to every output channel.</summary>
    public static long ConvTranspose(long inChannels, long outChannels, long kernel, long inSide) =>
        inChannels * outChannels * kernel * kernel * inSide * inSide;

    /// <summary>The Bernoulli MLP VAE (METHOD.md section 4): 1024-512-256 to mu, logvar; 16-256-512-1024.</summary>
    public static FlopCount MlpVae(long pixels, long latent, long hidden1 = 512, long hidden2 = 256) => new(
        Linear(pixels, hidden1) + Linear(hidden1, hidden2) + 2 * Linear(hidden2, latent),
        Linear(latent, hidden2) + Linear(hidden2, hidden1) + Linear(hidden1, pixels));

    /// <summary>The DC-VAE of <see cref="DcVaeNetwork"/> on C x 32 x 32 images with width F.</summary>
    public static FlopCount DcVae(long channels, long featureMaps, long latent, long outputChannels)
    {
        long f = featureMaps;
        long encoder = Conv(channels, f, 4, 16) + Conv(f, 2 * f, 4, 8) + Conv(2 * f, 4 * f, 4, 4) + Conv(4 * f, 8 * f, 4, 2)
            + 2 * Linear(8 * f * 2 * 2, latent);
        long decoder = ConvTranspose(latent, 8 * f, 2, 1) + ConvTranspose(8 * f, 4 * f, 4, 2) + ConvTranspose(4 * f, 2 * f, 4, 4)
            + ConvTranspose(2 * f, f, 4, 8) + ConvTranspose(f, outputChannels, 4, 16);
        return new(encoder, decoder);
    }

    /// <summary>The forward pass of <see cref="RealNvpNetwork"/> on C x H x H images (all of it counted as "encoder").</summary>
    public static FlopCount RealNvp(long channels, long side, RealNvpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long macs = 0, c = channels, h = side, hidden = options.HiddenChannels;
        long Coupling(long conditioning, long transformed, long s) =>
            Conv(conditioning, hidden, 3, s) + Conv(hidden, hidden, 1, s) + Conv(hidden, 2 * transformed, 3, s);
        for (int scale = 0; scale < options.Scales - 1; scale++)
        {
            macs += 3 * Coupling(c + 1, c, h);
            (c, h) = (4 * c, h / 2);
            macs += 3 * Coupling(c / 2, c / 2, h);
            c /= 2;
        }
        macs += 4 * Coupling(c + 1, c, h);
        return new(macs, 0);
    }
}
