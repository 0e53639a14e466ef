using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Likelihood;

/// <summary>
/// <see cref="DiscretizedLogisticMixture.LogProbability"/> for scoring on the CPU (float32, no autograd): one
/// pass over each image's decoder output, 8 pixels at a time, every component and channel in registers, where
/// the tensor form makes ~40 passes over [S, B, C, K, H, W] temporaries. Same quantity; the two differ by float32
/// rounding only (LogisticMixtureKernelTests). Each image is summed on one thread in a fixed order, so results do
/// not depend on the thread count.
/// </summary>
internal static unsafe class LogisticMixtureKernel
{
    const int Lanes = 8;

    /// <summary>
    /// Whether the kernel can score <paramref name="output"/> [..., B, P, H, W] against <paramref name="x"/> [B, C, H, W]:
    /// float32 CPU tensors outside autograd, with 256-bit vectors (and gathers) in hardware and H W a multiple of 8.
    /// The output may be contiguous or channels-last (<see cref="IsChannelsLast"/>).
    /// </summary>
    public static bool Supports(Tensor output, Tensor x) =>
        Vector256.IsHardwareAccelerated && Avx2.IsSupported
        && output.device_type == DeviceType.CPU && x.device_type == DeviceType.CPU
        && output.dtype == ScalarType.Float32 && x.dtype == ScalarType.Float32
        && !output.requires_grad && !x.requires_grad
        && x.dim() == 4 && output.dim() >= 4
        && output.shape[^4] == x.shape[0] && output.shape[^2] == x.shape[2] && output.shape[^1] == x.shape[3]
        && x.shape[2] * x.shape[3] % Lanes == 0;

    /// <summary>log P(x) per image, float32 of shape output.shape[..^3]; the layout is <see cref="DiscretizedLogisticMixture.Split"/>'s.</summary>
    public static Tensor LogProbability(Tensor output, Tensor x, long channels, long components)
    {
        if (!Supports(output, x)) throw new ArgumentException($"unsupported tensors: output ({string.Join(", ", output.shape)}) {output.dtype}, x ({string.Join(", ", x.shape)}) {x.dtype}", nameof(output));
        long expected = DiscretizedLogisticMixture.OutputChannels(channels, components);
        if (output.shape[^3] != expected || x.shape[1] != channels)
            throw new ArgumentException($"expected output [..., {expected}, H, W] and x [B, {channels}, H, W], got ({string.Join(", ", output.shape)}) and ({string.Join(", ", x.shape)})", nameof(output));
        using var scope = NewDisposeScope();
        bool channelsLast = IsChannelsLast(output);
        var o = channelsLast ? output.movedim([-3], [-1]).contiguous() : output.contiguous();   // [..., H, W, P]: a view, already contiguous
        var xs = x.contiguous();
        var result = empty(output.shape[..^3], ScalarType.Float32);
        var layout = new MixtureLayout((int)channels, (int)components, x.shape[2] * x.shape[3], channelsLast);
        fixed (byte* outputBytes = o.bytes, xBytes = xs.bytes, resultBytes = result.bytes)
            ForEachImage(result.numel(), (nint)outputBytes, (nint)xBytes, (nint)resultBytes, x.shape[0], layout);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Whether scoring can hand the kernel channels-last output.</summary>
    public static bool ReadsChannelsLast => Vector256.IsHardwareAccelerated && Avx2.IsSupported;

    /// <summary>
    /// [..., P, H, W] stored as [..., H, W, P] with the leading dimensions packed: what a convolution whose input is
    /// channels-last returns (DcVaeNetwork's scoring decode); read in place, 8 pixels at a time transposed into planes.
    /// </summary>
    public static bool IsChannelsLast(Tensor output)
    {
        long p = output.shape[^3], w = output.shape[^1], image = p * output.shape[^2] * w;
        if (output.dim() < 4 || output.stride(-3) != 1 || output.stride(-1) != p || output.stride(-2) != w * p) return false;
        for (long d = output.dim() - 4, expected = image; d >= 0; expected *= output.shape[d], d--)
            if (output.stride((int)d) != expected && output.shape[d] != 1) return false;
        return true;
    }

    static void ForEachImage(long images, nint output, nint x, nint result, long batch, MixtureLayout layout)
    {
        void Score(long n) =>
            ((float*)result)[n] = (float)ImageLogProbability((float*)output + n * layout.OutputFloats, (float*)x + n % batch * layout.DataFloats, layout);
        int threads = get_num_threads();
        if (threads == 1 || images == 1)
        {
            for (long n = 0; n < images; n++) Score(n);
            return;
        }
        // Pool threads take the caller's denormal mode for the loop (and give theirs back), so results cannot depend on the thread.
        bool flush = DenormalFlushing.IsEnabledForCurrentThread;
        Parallel.For(0, images, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => DenormalFlushing.SetForCurrentThread(flush),
            (n, _, before) => { Score(n); return before; },
            before => DenormalFlushing.SetForCurrentThread(before));
    }

    static double ImageLogProbability(float* output, float* x, MixtureLayout layout)
    {
        Span<Vector256<float>> buffers = stackalloc Vector256<float>[3 * layout.Channels + 2 * layout.Components];
        var pixels = new PixelBuffers(buffers, layout);
        var sumLow = Vector256<double>.Zero;
        var sumHigh = Vector256<double>.Zero;
        float* tile = stackalloc float[layout.ChannelsLast ? (int)layout.OutputChannels * Lanes : 0];
        for (long p = 0; p < layout.Plane; p += Lanes)
        {
            float* parameters = output + p;
            if (layout.ChannelsLast)
            {
                PixelTile.Transpose(output + p * layout.OutputChannels, tile, (int)layout.OutputChannels);
                parameters = tile;
            }
            var (low, high) = Vector256.Widen(MixturePixels.LogProbability(parameters, x + p, layout, pixels));
            sumLow += low;
            sumHigh += high;
        }
        return Vector256.Sum(sumLow + sumHigh);
    }
}

/// <summary>
/// Where a mixture's parameters sit relative to a group of 8 pixels: output channel q (<see cref="DiscretizedLogisticMixture.Split"/>'s
/// order) at q H W in the decoder output's planes, or at 8 q in the <see cref="PixelTile"/> of channels-last output.
/// </summary>
internal readonly record struct MixtureLayout(int Channels, int Components, long Plane, bool ChannelsLast)
{
    public long OutputChannels => DiscretizedLogisticMixture.OutputChannels(Channels, Components);
    public long OutputFloats => OutputChannels * Plane;
    public long DataFloats => Channels * Plane;
    long ChannelStride => ChannelsLast ? 8 : Plane;

    public long Logit(int component) => component * ChannelStride;
    public long Mean(int channel, int component) => (Components + channel * Components + component) * ChannelStride;
    public long LogScale(int channel, int component) => (Components * (1 + Channels) + channel * Components + component) * ChannelStride;
    public long Coefficient(int channel, int previous, int component) =>
        (Components * (1 + 2 * Channels) + (channel * (channel - 1) / 2 + previous) * Components + component) * ChannelStride;
}

/// <summary>Scratch vectors for one group of 8 pixels: data on [-1, 1], edge-bin masks, per-component terms.</summary>
internal readonly ref struct PixelBuffers(Span<Vector256<float>> buffers, MixtureLayout layout)
{
    public readonly Span<Vector256<float>> Values = buffers[..layout.Channels];
    public readonly Span<Vector256<float>> Lowest = buffers.Slice(layout.Channels, layout.Channels);
    public readonly Span<Vector256<float>> Highest = buffers.Slice(2 * layout.Channels, layout.Channels);
    public readonly Span<Vector256<float>> Exponents = buffers.Slice(3 * layout.Channels, layout.Components);
    public readonly Span<Vector256<float>> Factors = buffers.Slice(3 * layout.Channels + layout.Components, layout.Components);
}

/// <summary>8 pixels of channels-last output ([8, P], contiguous) as planes of 8 ([P, 8]): 8 x 8 blocks by shuffles, the last P mod 8 channels one by one.</summary>
internal static unsafe class PixelTile
{
    public static void Transpose(float* pixels, float* tile, int channels)
    {
        int q = 0;
        for (; q + 8 <= channels; q += 8) TransposeBlock(pixels + q, channels, tile + q * 8);
        for (; q < channels; q++)
            for (int pixel = 0; pixel < 8; pixel++) tile[q * 8 + pixel] = pixels[pixel * channels + q];
    }

    /// <summary>Rows r (pixel r's 8 channels, <paramref name="rowStride"/> apart) become columns: tile[8 c + r] = row r, channel c.</summary>
    static void TransposeBlock(float* rows, int rowStride, float* tile)
    {
        var t0 = Avx.UnpackLow(Avx.LoadVector256(rows), Avx.LoadVector256(rows + rowStride));
        var t1 = Avx.UnpackHigh(Avx.LoadVector256(rows), Avx.LoadVector256(rows + rowStride));
        var t2 = Avx.UnpackLow(Avx.LoadVector256(rows + 2 * rowStride), Avx.LoadVector256(rows + 3 * rowStride));
        var t3 = Avx.UnpackHigh(Avx.LoadVector256(rows + 2 * rowStride), Avx.LoadVector256(rows + 3 * rowStride));
        var t4 = Avx.UnpackLow(Avx.LoadVector256(rows + 4 * rowStride), Avx.LoadVector256(rows + 5 * rowStride));
        var t5 = Avx.UnpackHigh(Avx.LoadVector256(rows + 4 * rowStride), Avx.LoadVector256(rows + 5 * rowStride));
        var t6 = Avx.UnpackLow(Avx.LoadVector256(rows + 6 * rowStride), Avx.LoadVector256(rows + 7 * rowStride));
        var t7 = Avx.UnpackHigh(Avx.LoadVector256(rows + 6 * rowStride), Avx.LoadVector256(rows + 7 * rowStride));
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(tile, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(tile + 8, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(tile + 16, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(tile + 24, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(tile + 32, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(tile + 40, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(tile + 48, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(tile + 56, Avx.Permute2x128(s3, s7, 0x31));
    }
}
