using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// Any IDX image file with an optional matching label file: <c>--data-dir</c> is either the image
/// file itself, or a folder holding exactly one file whose name contains "images-idx3".
/// Labels are taken from the file of the same name with "images-idx3" replaced by "labels-idx1".
/// </summary>
internal sealed class IdxDatasetProvider : IDatasetProvider
{
    public string Name => "idx";
    public string Description => "Any IDX image file (+ labels file beside it); --data-dir FILE or FOLDER";

    public ImageDataset Load(DatasetRequest request)
    {
        if (string.IsNullOrEmpty(request.DataDirectory))
            throw new InvalidConfigurationException("dataset 'idx' needs --data-dir: an IDX image file or a folder with one '*images-idx3*' file");
        string imagesPath = ResolveImagesFile(request.DataDirectory);
        string? labelsPath = FindLabels(imagesPath);
        return LoadPair(Name, imagesPath, labelsPath);
    }

    internal static ImageDataset LoadPair(string name, string imagesPath, string? labelsPath)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = labelsPath is null ? null : IdxFile.Read(labelsPath);
        return ImageDataset.FromIdx(name, images, labels, imagesPath, labelsPath);
    }

    static string ResolveImagesFile(string path)
    {
        if (File.Exists(path)) return path;
        if (!Directory.Exists(path)) throw new InvalidInputException(path, "no such file or folder (--data-dir)");
        var candidates = Directory.GetFiles(path).Where(f => Path.GetFileName(f).Contains("images-idx3", StringComparison.Ordinal)).ToArray();
        return candidates.Length switch
        {
            1 => candidates[0],
            0 => throw new InvalidInputException(path, "folder holds no '*images-idx3*' file"),
            _ => throw new InvalidInputException(path, $"folder holds {candidates.Length} '*images-idx3*' files; pass one file as --data-dir"),
        };
    }

    internal static string? FindLabels(string imagesPath)
    {
        string name = Path.GetFileName(imagesPath);
        if (!name.Contains("images-idx3", StringComparison.Ordinal)) return null;
        string candidate = Path.Combine(Path.GetDirectoryName(imagesPath)!, name.Replace("images-idx3", "labels-idx1"));
        return File.Exists(candidate) ? candidate : null;
    }
}

/// <summary>
/// MNIST in its standard files (train-* for the training split, t10k-* for the test split,
/// optionally .gz) from --data-dir, or fetched into the cache with --download.
/// </summary>
internal sealed class MnistDatasetProvider(DownloadSource? source = null, DatasetDownloader? downloader = null) : ISplitDatasetProvider
{
    readonly DownloadSource _source = source ?? DownloadSource.Mnist;

    public string Name => "mnist";
    public string Description => "MNIST (60,000 train, 10,000 test) from --data-dir (train-images-idx3-ubyte[.gz], ...), or fetched with --download";
    public IReadOnlyList<string> Splits => StandardIdxFolder.Splits;

    public ImageDataset Load(DatasetRequest request) => LoadSplit(request, "train");

    public ImageDataset LoadSplit(DatasetRequest request, string split)
    {
        string folder = request.DataDirectory is not null
            ? DownloadedFolder.UserFolder(request, Name)
            : DownloadedFolder.Find(request, _source, downloader)
              ?? throw new InvalidConfigurationException(
                  $"dataset 'mnist' needs --data-dir (the folder with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]) or --download to fetch it into {DownloadedFolder.CacheFolder(request, _source)}");
        return StandardIdxFolder.Load(Name, folder, split);
    }
}

/// <summary>
/// Fashion-MNIST in the standard files: from --data-dir, else Debian's dataset-fashion-mnist package,
/// else the cache (filled by --download).
/// </summary>
internal sealed class FashionMnistDatasetProvider(DownloadSource? source = null, DatasetDownloader? downloader = null) : ISplitDatasetProvider
{
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";
    readonly DownloadSource _source = source ?? DownloadSource.FashionMnist;

    public string Name => "fashion-mnist";
    public string Description => $"Fashion-MNIST (60,000 train, 10,000 test) from --data-dir, {DebianFolder} (apt-get install dataset-fashion-mnist), or fetched with --download";
    public IReadOnlyList<string> Splits => StandardIdxFolder.Splits;

    public ImageDataset Load(DatasetRequest request) => LoadSplit(request, "train");

    public ImageDataset LoadSplit(DatasetRequest request, string split)
    {
        string folder = request.DataDirectory is not null ? DownloadedFolder.UserFolder(request, Name)
            : Directory.Exists(DebianFolder) ? DebianFolder
            : DownloadedFolder.Find(request, _source, downloader)
              ?? throw new InvalidInputException(DebianFolder,
                  "Fashion-MNIST not found; install it with 'sudo apt-get install dataset-fashion-mnist', pass --data-dir with the IDX files, " +
                  $"or use --download to fetch it into {DownloadedFolder.CacheFolder(request, _source)}");
        return StandardIdxFolder.Load(Name, folder, split);
    }
}

static class StandardIdxFolder
{
    public static readonly IReadOnlyList<string> Splits = ["train", "test"];

    /// <summary>Reads the split's image and label files: "train" -> train-*, "test" -> t10k-*.</summary>
    public static ImageDataset Load(string name, string folder, string split)
    {
        string prefix = split switch
        {
            "train" => "train",
            "test" => "t10k",
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "expected 'train' or 'test'"),
        };
        if (!Directory.Exists(folder)) throw new InvalidInputException(folder, "no such folder (--data-dir)");
        string images = Find(folder, $"{prefix}-images-idx3-ubyte");
        string labels = Find(folder, $"{prefix}-labels-idx1-ubyte");
        return IdxDatasetProvider.LoadPair(name, images, labels);
    }

    static string Find(string folder, string stem)
    {
        foreach (string candidate in new[] { stem, stem + ".gz" })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        throw new InvalidInputException(Path.Combine(folder, stem), $"file not found (also looked for {stem}.gz)");
    }
}
