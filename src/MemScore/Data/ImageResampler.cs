namespace MemScore.Data;

/// <summary>Crop and resize on channel-major byte planes [C, H, W].</summary>
internal static class ImageResampler
{
    /// <summary>The box [left, right) x [top, bottom) of every plane.</summary>
    public static byte[] Crop(byte[] planes, int channels, int height, int width, int left, int top, int right, int bottom)
    {
        if (left < 0 || top < 0 || right > width || bottom > height || left >= right || top >= bottom)
            throw new ArgumentOutOfRangeException(nameof(left), $"crop box ({left}, {top}, {right}, {bottom}) does not fit a {width}x{height} image");
        int w = right - left, h = bottom - top;
        var output = new byte[channels * h * w];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                Buffer.BlockCopy(planes, (c * height + top + y) * width + left, output, (c * h + y) * w, w);
        return output;
    }

    /// <summary>The largest centred square (left/top get the smaller half of an odd difference).</summary>
    public static byte[] CropCentredSquare(byte[] planes, int channels, int height, int width, out int side)
    {
        side = Math.Min(height, width);
        int left = (width - side) / 2, top = (height - side) / 2;
        return side == height && side == width ? planes : Crop(planes, channels, height, width, left, top, left + side, top + side);
    }

    /// <summary>
    /// Antialiased bilinear resize, as PIL's <c>Image.resize(size, BILINEAR)</c> (what torchvision's
    /// Resize applies to PIL images): each output pixel is a normalised triangle-filter average of the
    /// input pixels around its centre, the filter widened by the scale factor when shrinking, so every
    /// input pixel contributes. Rows are resized first, then columns; each pass is rounded to bytes.
    /// </summary>
    public static byte[] Resize(byte[] planes, int channels, int height, int width, int outHeight, int outWidth)
    {
        if (outHeight < 1 || outWidth < 1) throw new ArgumentOutOfRangeException(nameof(outHeight), $"output size {outWidth}x{outHeight} must be at least 1x1");
        var rows = width == outWidth ? planes : Pass(planes, channels * height, width, outWidth, Coefficients(width, outWidth));
        return height == outHeight ? rows : ResizeColumns(rows, channels, height, outWidth, outHeight);
    }

    static byte[] ResizeColumns(byte[] planes, int channels, int height, int width, int outHeight)
    {
        var filter = Coefficients(height, outHeight);
        var output = new byte[channels * outHeight * width];
        for (int c = 0; c < channels; c++)
        {
            var plane = new byte[height * width];
            Buffer.BlockCopy(planes, c * height * width, plane, 0, plane.Length);
            var resized = Pass(plane, width, height, outHeight, filter, transposed: true);
            Buffer.BlockCopy(resized, 0, output, c * outHeight * width, resized.Length);
        }
        return output;
    }

    /// <summary>
    /// Resizes <paramref name="lines"/> lines of <paramref name="length"/> samples each. Plain: line i
    /// is contiguous (samples at i*length + k). Transposed: lines are the columns of a [length, lines]
    /// plane (samples at k*lines + i) and the output is [outLength, lines].
    /// </summary>
    static byte[] Pass(byte[] input, int lines, int length, int outLength, Filter filter, bool transposed = false)
    {
        var output = new byte[lines * outLength];
        for (int line = 0; line < lines; line++)
            for (int o = 0; o < outLength; o++)
            {
                double sum = 0;
                var weights = filter.Weights[o];
                for (int k = 0; k < weights.Length; k++)
                {
                    int at = filter.First[o] + k;
                    sum += weights[k] * input[transposed ? at * lines + line : line * length + at];
                }
                output[transposed ? o * lines + line : line * outLength + o] = (byte)Math.Clamp(Math.Round(sum, MidpointRounding.AwayFromZero), 0, 255);
            }
        return output;
    }

    sealed record Filter(int[] First, double[][] Weights);

    static Filter Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double widen = Math.Max(scale, 1.0);
        double support = widen;   // triangle of half-width 1, widened
        var first = new int[outSize];
        var weights = new double[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) * scale;
            int start = Math.Max((int)Math.Floor(centre - support + 0.5), 0);
            int end = Math.Min((int)Math.Floor(centre + support + 0.5), inSize);
            var w = new double[end - start];
            for (int i = start; i < end; i++) w[i - start] = Math.Max(0, 1 - Math.Abs((i + 0.5 - centre) / widen));
            double total = w.Sum();
            for (int k = 0; k < w.Length; k++) w[k] /= total;
            first[o] = start;
            weights[o] = w;
        }
        return new Filter(first, weights);
    }
}
