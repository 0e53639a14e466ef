using MemScore.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>Options shared by the DC-VAE families; defaults are the paper's (METHOD.md section 4).</summary>
/// <param name="Dropout">Dropout probability after every hidden activation while training (model-option dropout); 0 = no dropout layers.</param>
internal sealed record DcVaeOptions(int LatentDim, int FeatureMaps = DcVaeOptions.DefaultFeatureMaps, double Dropout = 0)
{
    /// <summary>F of the paper (METHOD.md section 4).</summary>
    public const int DefaultFeatureMaps = 32;

    /// <summary>The options of a model context's latent size and width <paramref name="featureMaps"/>.</summary>
    public static DcVaeOptions For(ModelContext context, int featureMaps = DefaultFeatureMaps, double dropout = 0) => new(context.LatentDim, featureMaps, dropout);

    public const int ImageSide = 32;
}

/// <summary>
/// What distinguishes one DC-VAE family: how many channels its decoder emits, how they turn into
/// log p(x|z), and how they turn into images. A head is a module so it can own parameters.
/// </summary>
internal abstract class DcVaeHead(string name) : nn.Module(name)
{
    /// <summary>Decoder output channels for images with <paramref name="imageChannels"/> channels.</summary>
    public abstract long OutputChannels(long imageChannels);

    /// <summary>log p(x | z) per pair: decoder output [S, B, OutputChannels, H, W], x [B, C, H, W] -> [S, B].</summary>
    public abstract Tensor LogLikelihood(Tensor output, Tensor x);

    /// <summary>Images [N, C, H, W] in [0, 1] from decoder output [N, OutputChannels, H, W]: a draw when stochastic, else the mean.</summary>
    public abstract Tensor Images(Tensor output, Generator noise, bool stochastic);

    /// <summary>Whether <see cref="LogLikelihood"/> reads channels-last decoder output as fast as contiguous (scoring may then decode channels-last).</summary>
    public virtual bool ReadsChannelsLast => false;

    /// <summary>Extra settings for the model description (e.g. mixture components).</summary>
    public virtual IEnumerable<KeyValuePair<string, string>> Settings => [];
}

/// <summary>
/// The DCGAN-like VAE of the paper for 32x32 images (METHOD.md section 4). Encoder: 4 convolutions
/// (4x4, stride 2, pad 1) to F, 2F, 4F, 8F channels with LeakyReLU(0.2), batch-norm after convolutions
/// 2-4, flatten (8F x 2 x 2), linear heads mu and logvar. Decoder: latent as (L, 1, 1), transposed
/// convolutions to 8F (2x2, stride 1), 4F, 2F, F (4x4, stride 2, pad 1) with batch-norm + ReLU, then
/// to the head's output channels at 32x32. Convolutions have no bias (batch-norm follows them).
/// </summary>
internal sealed class DcVaeNetwork : nn.Module, IDecodingNetwork, IDropoutNetwork
{
    /// <summary>Images pushed through the decoder at once when scoring many latent samples (bounds memory).</summary>
    const long DecodeChunkImages = 1024;

    readonly Sequential encoder;
    readonly Linear mu;
    readonly Linear logvar;
    readonly Sequential decoder;
    readonly DcVaeHead head;

    public int LatentDim { get; }
    public long[] ImageShape { get; }
    public DropoutNoise Noise { get; } = new();

    public DcVaeNetwork(DcVaeOptions options, long[] imageShape, DcVaeHead head) : base(nameof(DcVaeNetwork))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(head);
        RequireShape(imageShape);
        if (options.LatentDim < 1) throw new InvalidConfigurationException($"latent-dim = {options.LatentDim}: expected an integer >= 1");
        if (options.FeatureMaps < 1) throw new InvalidConfigurationException($"feature-maps = {options.FeatureMaps}: expected an integer >= 1");
        LatentDim = options.LatentDim;
        ImageShape = [.. imageShape];
        long c = imageShape[0], f = options.FeatureMaps;
        // Batch-norm and LeakyReLU as ScalarSafe modules: TorchSharp's make implicit Scalars on every call (ScalarScope).
        encoder = nn.Sequential(SeededDropout.AfterActivations([
            nn.Conv2d(c, f, 4, 2, 1, bias: false), new ScalarSafeLeakyReLU(0.2),
            nn.Conv2d(f, 2 * f, 4, 2, 1, bias: false), new ScalarSafeBatchNorm2d(2 * f), new ScalarSafeLeakyReLU(0.2),
            nn.Conv2d(2 * f, 4 * f, 4, 2, 1, bias: false), new ScalarSafeBatchNorm2d(4 * f), new ScalarSafeLeakyReLU(0.2),
            nn.Conv2d(4 * f, 8 * f, 4, 2, 1, bias: false), new ScalarSafeBatchNorm2d(8 * f), new ScalarSafeLeakyReLU(0.2)], options.Dropout, Noise));
        mu = nn.Linear(8 * f * 2 * 2, LatentDim);
        logvar = nn.Linear(8 * f * 2 * 2, LatentDim);
        decoder = nn.Sequential(SeededDropout.AfterActivations([
            nn.ConvTranspose2d(LatentDim, 8 * f, 2, 1, 0, bias: false), new ScalarSafeBatchNorm2d(8 * f), nn.ReLU(),
            nn.ConvTranspose2d(8 * f, 4 * f, 4, 2, 1, bias: false), new ScalarSafeBatchNorm2d(4 * f), nn.ReLU(),
            nn.ConvTranspose2d(4 * f, 2 * f, 4, 2, 1, bias: false), new ScalarSafeBatchNorm2d(2 * f), nn.ReLU(),
            nn.ConvTranspose2d(2 * f, f, 4, 2, 1, bias: false), new ScalarSafeBatchNorm2d(f), nn.ReLU(),
            nn.ConvTranspose2d(f, head.OutputChannels(c), 4, 2, 1, bias: false)], options.Dropout, Noise));
        this.head = head;
        RegisterComponents();
    }

    /// <summary>Refuses anything but [C, 32, 32] with a message naming the shape.</summary>
    public static void RequireShape(long[] imageShape)
    {
        ArgumentNullException.ThrowIfNull(imageShape);
        if (imageShape.Length != 3 || imageShape[0] < 1 || imageShape[1] != DcVaeOptions.ImageSide || imageShape[2] != DcVaeOptions.ImageSide)
            throw new InvalidConfigurationException(
                $"DC-VAE models need images of shape C x 32 x 32, got {string.Join("x", imageShape)} (pad or resize the data to 32x32)");
    }

    /// <summary>
    /// PyTorch's default initialisation drawn from <paramref name="generator"/>: weights (and linear biases)
    /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = size(1) x kernel area (as torch computes it, also for
    /// transposed convolutions); batch-norm scale 1, shift 0.
    /// </summary>
    public void Initialize(Generator generator)
    {
        using var _ = no_grad();
        foreach (var module in modules())
        {
            Tensor? weight = module switch { Conv2d m => m.weight, ConvTranspose2d m => m.weight, Linear m => m.weight, _ => null };
            if (weight is null) continue;
            long fanIn = weight.numel() / weight.shape[0];
            double bound = 1.0 / Math.Sqrt(fanIn);
            weight.uniform_(-bound, bound, generator);
            if (module is Linear linear) linear.bias!.uniform_(-bound, bound, generator);
        }
    }

    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        using var features = encoder.call(x);
        using var flat = features.flatten(1);
        return (mu.call(flat), logvar.call(flat));
    }

    /// <summary>Decoder output [N, OutputChannels, 32, 32] for latents [N, latent].</summary>
    public Tensor DecodeOutput(Tensor z)
    {
        using var image = z.reshape(z.shape[0], LatentDim, 1, 1);
        return decoder.call(image);
    }

    public Tensor LogLikelihoodGivenLatent(Tensor z, Tensor x)
    {
        long samples = z.shape[0], batch = z.shape[1];
        long chunk = Math.Max(1, DecodeChunkImages / batch);
        var parts = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (long start = 0; start < samples; start += chunk)
        {
            long size = Math.Min(chunk, samples - start);
            var latents = z.narrow(0, start, size).reshape(size * batch, LatentDim);
            var output = DecodesChannelsLast(z) ? DecodeOutputChannelsLast(latents) : DecodeOutput(latents);
            parts.Add(head.LogLikelihood(output.unflatten(0, [size, batch]), x));
        }
        return (parts.Count == 1 ? parts[0] : cat(parts, 0)).MoveToOuterDisposeScope();
    }

    bool DecodesChannelsLast(Tensor z) => head.ReadsChannelsLast && !is_grad_enabled() && z.device_type == DeviceType.CPU;

    /// <summary>
    /// <see cref="DecodeOutput"/> with the last transposed convolution fed channels-last (strides of [N, H, W, C]): libtorch's
    /// oneDNN path ran it ~1.5x faster for the 100 channels of the RGB mixture (bench/RESULTS.md); its output is then channels-last too.
    /// </summary>
    Tensor DecodeOutputChannelsLast(Tensor z)
    {
        using var scope = NewDisposeScope();
        var layers = decoder.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
        var hidden = z.reshape(z.shape[0], LatentDim, 1, 1);
        foreach (var layer in layers.SkipLast(1)) hidden = layer.call(hidden);
        var channelsLast = hidden.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        return layers[^1].call(channelsLast).MoveToOuterDisposeScope();
    }

    public Tensor DecodeImages(Tensor z, Generator noise, bool stochastic)
    {
        using var output = DecodeOutput(z);
        return head.Images(output, noise, stochastic);
    }

    public IEnumerable<KeyValuePair<string, string>> HeadSettings => head.Settings;
}
