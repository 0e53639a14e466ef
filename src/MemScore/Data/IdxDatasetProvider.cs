using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// Any IDX image file with an optional matching label file: <c>--data-dir</c> is either the image
/// file itself, or a folder holding exactly one file whose name contains "images-idx3".
/// Labels are taken from the file of the same name with "images-idx3" replaced by "labels-idx1".
/// </summary>
public sealed class IdxDatasetProvider : IDatasetProvider
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
        return ImageDataset.FromIdx(name, images, labels, imagesPath);
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

/// <summary>Standard MNIST training files (train-images-idx3-ubyte[.gz] + labels) in --data-dir.</summary>
public sealed class MnistDatasetProvider : IDatasetProvider, ITestSplitProvider
{
    public string Name => "mnist";
    public string Description => "MNIST training set from --data-dir (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz])";

    public ImageDataset Load(DatasetRequest request)
    {
        if (string.IsNullOrEmpty(request.DataDirectory))
            throw new InvalidConfigurationException("dataset 'mnist' needs --data-dir: the folder with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]");
        return StandardIdxFolder.Load(Name, request.DataDirectory, "train");
    }

    public ImageDataset LoadTest(DatasetRequest request)
    {
        if (string.IsNullOrEmpty(request.DataDirectory))
            throw new InvalidConfigurationException("dataset 'mnist' needs --data-dir: the folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]");
        return StandardIdxFolder.Load(Name, request.DataDirectory, "t10k");
    }
}

/// <summary>Fashion-MNIST training files from Debian's dataset-fashion-mnist package (or --data-dir).</summary>
public sealed class FashionMnistDatasetProvider : IDatasetProvider, ITestSplitProvider
{
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    public string Name => "fashion-mnist";
    public string Description => $"Fashion-MNIST training set (60,000) from {DebianFolder} (apt-get install dataset-fashion-mnist) or --data-dir";

    public ImageDataset Load(DatasetRequest request) => StandardIdxFolder.Load(Name, Folder(request), "train");

    public ImageDataset LoadTest(DatasetRequest request) => StandardIdxFolder.Load(Name, Folder(request), "t10k");

    static string Folder(DatasetRequest request)
    {
        string folder = request.DataDirectory ?? DebianFolder;
        if (request.DataDirectory is null && !Directory.Exists(folder))
            throw new InvalidInputException(folder,
                "Fashion-MNIST not found; install it with 'sudo apt-get install dataset-fashion-mnist' or pass --data-dir with the IDX files");
        return folder;
    }
}

static class StandardIdxFolder
{
    public static ImageDataset Load(string name, string folder, string split)
    {
        if (!Directory.Exists(folder)) throw new InvalidInputException(folder, "no such folder (--data-dir)");
        string images = Find(folder, $"{split}-images-idx3-ubyte");
        string labels = Find(folder, $"{split}-labels-idx1-ubyte");
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
