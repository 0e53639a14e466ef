using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Data;

/// <summary>
/// Images as raw intensities in [0, 1], shape [n, C, H, W] (float32), with labels and the index of
/// each image in its source file. Owns its tensor.
/// </summary>
internal sealed class ImageDataset : IDisposable
{
    public string Name { get; }
    public Tensor Images { get; }
    public int[] Labels { get; }
    public int[] SourceIndices { get; }

    public ImageDataset(string name, Tensor images, int[] labels, int[] sourceIndices)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4) throw new ArgumentException($"images must be [n, C, H, W], got {images.dim()} dims", nameof(images));
        if (labels.Length != images.shape[0] || sourceIndices.Length != images.shape[0])
            throw new ArgumentException("labels and source indices must have one entry per image");
        Name = name;
        Images = images;
        Labels = labels;
        SourceIndices = sourceIndices;
    }

    public int Count => (int)Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    /// <summary>Builds a dataset from IDX bytes ([n, H, W] images scaled by 1/255) and labels.</summary>
    /// <param name="labelsPath">Names the labels file in errors about it.</param>
    public static ImageDataset FromIdx(string name, IdxFile images, IdxFile? labels, string imagesPath, string? labelsPath = null)
    {
        if (images.Dimensions.Length != 3)
            throw new Core.InvalidInputException(imagesPath, $"expected a 3-dimensional IDX image file [n, H, W], found {images.Dimensions.Length} dimensions");
        int n = images.Dimensions[0], h = images.Dimensions[1], w = images.Dimensions[2];
        int[] labelValues;
        if (labels is null) labelValues = new int[n];
        else
        {
            if (labels.Dimensions.Length != 1 || labels.Dimensions[0] != n)
                throw new Core.InvalidInputException(labelsPath ?? imagesPath, $"label file holds {string.Join("x", labels.Dimensions)} values, expected {n} labels to match the images");
            labelValues = Array.ConvertAll(labels.Values, b => (int)b);
        }
        // Bytes go to libtorch as uint8 and are scaled there: no managed float copy of the data.
        using var bytes = torch.tensor(images.Values, [n, 1, h, w]);
        using var k = new Core.ScalarScope();
        var images4d = bytes.to_type(ScalarType.Float32).div_(k[255f]);
        return new ImageDataset(name, images4d, labelValues, Enumerable.Range(0, n).ToArray());
    }

    /// <summary>Builds a dataset from channel-major bytes [n, C, H, W] scaled by 1/255 (in libtorch, no managed float copy).</summary>
    public static ImageDataset FromBytes(string name, byte[] values, long[] shape, int[] labels, int[] sourceIndices)
    {
        if (shape.Length != 4 || shape.Aggregate(1L, (a, b) => a * b) != values.LongLength)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not match {values.LongLength} bytes", nameof(shape));
        using var bytes = torch.tensor(values, shape);
        using var k = new Core.ScalarScope();
        return new ImageDataset(name, bytes.to_type(ScalarType.Float32).div_(k[255f]), labels, sourceIndices);
    }

    /// <summary>SHA-256 over shape, pixel values and labels: identifies the exact data a run used.</summary>
    public string ContentHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (long d in Images.shape) sha.AppendData(BitConverter.GetBytes(d));
        const int Chunk = 1024;   // hash in slices of rows: never a managed copy of the whole tensor
        for (long start = 0; start < Count; start += Chunk)
        {
            using var slice = Images.narrow(0, start, Math.Min(Chunk, Count - start));
            using var contiguous = slice.contiguous();
            sha.AppendData(contiguous.bytes);
        }
        foreach (int l in Labels) sha.AppendData(BitConverter.GetBytes(l));
        foreach (int s in SourceIndices) sha.AppendData(BitConverter.GetBytes(s));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    public void Dispose() => Images.Dispose();
}
