using System.Security.Cryptography;
using System.Text;
using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// CelebA, aligned-and-cropped version: --data-dir holds img_align_celeba/*.jpg (178x218) and
/// list_eval_partition.txt. Splits "train" (partition 0, 162,770 images), "valid" (1), "test" (2), in
/// the list's order. Each image is cropped to the box (15, 40, 163, 188) (left, top, right, bottom;
/// METHOD.md section 4) and resized to size x size with <see cref="ImageResampler.Resize"/>
/// (antialiased bilinear). Decoding is slow, so the decoded bytes are cached in the cache directory,
/// keyed by a hash of the partition file and the name and content (SHA-256 of the bytes) of every image of the split.
/// Labels are 0 (CelebA has no classes); source index = position in the partition list.
/// </summary>
internal sealed class CelebADatasetProvider : ISplitDatasetProvider
{
    public const string ImagesFolder = "img_align_celeba";
    public const string PartitionFile = "list_eval_partition.txt";
    public const int SourceWidth = 178, SourceHeight = 218;
    public const int CropLeft = 15, CropTop = 40, CropRight = 163, CropBottom = 188;
    // Part of the cache key: change it whenever decoding, cropping or resizing changes.
    const string CacheVersion = "celeba-crop15-40-163-188-pil-bilinear-v1";

    readonly int _size;

    public CelebADatasetProvider(int size = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
    }

    public string Name => "celeba";
    public string Description => $"CelebA aligned images from --data-dir ({ImagesFolder}/, {PartitionFile}), cropped and resized to {_size}x{_size}; decoded once, then cached";
    public IReadOnlyList<string> Splits { get; } = ["train", "valid", "test"];

    public ImageDataset Load(DatasetRequest request) => LoadSplit(request, "train");

    public ImageDataset LoadSplit(DatasetRequest request, string split)
    {
        ArgumentNullException.ThrowIfNull(request);
        int partition = Splits.ToList().IndexOf(split);
        if (partition < 0) throw new ArgumentOutOfRangeException(nameof(split), split, "expected 'train', 'valid' or 'test'");
        string folder = DataFolder(request);
        string partitionPath = Path.Combine(folder, PartitionFile);
        var entries = CelebAPartition.Read(partitionPath).Where(e => e.Partition == partition).ToArray();
        if (entries.Length == 0) throw new InvalidInputException(partitionPath, $"lists no images of partition {partition} ({split})");
        string cachePath = Path.Combine(request.CacheDirectory, "celeba", $"{split}-{_size}px-{CacheKey(partitionPath, folder, entries)[..16]}.idx");
        byte[] pixels = ReadCache(cachePath, entries.Length) ?? DecodeAndCache(folder, partitionPath, entries, cachePath);
        return ImageDataset.FromBytes(Name, pixels, [entries.Length, 3, _size, _size], new int[entries.Length], entries.Select(e => e.Index).ToArray());
    }

    static string DataFolder(DatasetRequest request)
    {
        if (request.Download)
            throw new InvalidConfigurationException("dataset 'celeba' cannot be downloaded by memscore: get img_align_celeba.zip and list_eval_partition.txt from the CelebA site and pass their folder as --data-dir");
        string folder = request.DataDirectory
            ?? throw new InvalidConfigurationException($"dataset 'celeba' needs --data-dir: the folder with {ImagesFolder}/ and {PartitionFile}");
        if (!Directory.Exists(folder)) throw new InvalidInputException(folder, "no such folder (--data-dir)");
        if (!Directory.Exists(Path.Combine(folder, ImagesFolder))) throw new InvalidInputException(Path.Combine(folder, ImagesFolder), "folder not found (expected the CelebA aligned images)");
        return folder;
    }

    /// <summary>
    /// SHA-256 over the method version, output size, partition file, and every listed image's name and
    /// the SHA-256 of its bytes: any change to any image's content (even one of the same size and
    /// modification time) gives another key, so stale pixels are never reused. Reading the files costs
    /// a fraction of decoding them (CelebA's train split: ~1.2 GB, hashed on all cores).
    /// </summary>
    string CacheKey(string partitionPath, string folder, CelebAPartition.Entry[] entries)
    {
        var contentHashes = new byte[entries.Length][];
        var errors = new InvalidInputException?[entries.Length];
        Parallel.For(0, entries.Length, (i, state) =>
        {
            string image = Path.Combine(folder, ImagesFolder, entries[i].FileName);
            try
            {
                if (InputFile.Stat(image) is null && new FileInfo(image).LinkTarget is null)
                    throw new InvalidInputException(image, $"image listed on line {entries[i].Line} of {partitionPath} not found");
                contentHashes[i] = SHA256.HashData(ImageDecoder.ReadFile(image));
            }
            catch (InvalidInputException e)
            {
                errors[i] = e;
                state.Stop();
            }
        });
        if (Array.Find(errors, e => e is not null) is { } first) throw first;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{CacheVersion}\n{_size}\n"));
        sha.AppendData(InputFile.ReadAllBytes(partitionPath, InputFile.MaxTextBytes, ErrorKind.InvalidInput, "CelebA's list_eval_partition.txt"));
        for (int i = 0; i < entries.Length; i++)
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{entries[i].FileName}\n"));
            sha.AppendData(contentHashes[i]);
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>The cached bytes, or null when absent or not of the expected shape (then they are rebuilt).</summary>
    byte[]? ReadCache(string path, int count)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var cached = IdxFile.Read(path);
            return cached.Dimensions.SequenceEqual([count, 3, _size, _size]) ? cached.Values : null;
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    byte[] DecodeAndCache(string folder, string partitionPath, CelebAPartition.Entry[] entries, string cachePath)
    {
        int length = 3 * _size * _size;
        var pixels = ImageDecoder.DecodeAll(entries.Length, length, i => DecodeOne(Path.Combine(folder, ImagesFolder, entries[i].FileName)), partitionPath);
        new IdxFile([entries.Length, 3, _size, _size], pixels).Write(cachePath);
        return pixels;
    }

    byte[] DecodeOne(string path)
    {
        var image = ImageDecoder.DecodeRgb(path);
        if (image.Width != SourceWidth || image.Height != SourceHeight)
            throw new InvalidInputException(path, $"image is {image.Width}x{image.Height}, expected {SourceWidth}x{SourceHeight} (CelebA aligned-and-cropped images)");
        var cropped = ImageResampler.Crop(image.Planes, 3, image.Height, image.Width, CropLeft, CropTop, CropRight, CropBottom);
        return ImageResampler.Resize(cropped, 3, CropBottom - CropTop, CropRight - CropLeft, _size, _size);
    }
}
