using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// CIFAR-10, binary version: "train" = data_batch_1..5 (50,000 images in file order), "test" =
/// test_batch (10,000). --data-dir is the folder holding the .bin files or the cifar-10-batches-bin
/// folder's parent; with --download the published archive is fetched, verified and extracted into
/// the cache. Images [n, 3, 32, 32] in [0, 1]; labels 0..9; source index = position in the split.
/// </summary>
internal sealed class Cifar10DatasetProvider(DatasetDownloader? downloader = null, DownloadSource? source = null) : ISplitDatasetProvider
{
    readonly DownloadSource _source = source ?? DownloadSource.Cifar10;

    public string Name => "cifar10";
    public string Description => "CIFAR-10 binary version (50,000 train, 10,000 test) from --data-dir (data_batch_1..5.bin, test_batch.bin), or fetched with --download";
    public IReadOnlyList<string> Splits { get; } = ["train", "test"];

    public ImageDataset Load(DatasetRequest request) => LoadSplit(request, "train");

    public ImageDataset LoadSplit(DatasetRequest request, string split)
    {
        ArgumentNullException.ThrowIfNull(request);
        string folder = ResolveFolder(request);
        var batch = split switch
        {
            "train" => Cifar10Reader.ReadTraining(folder),
            "test" => Cifar10Reader.ReadFile(Path.Combine(folder, Cifar10Reader.TestFile)),
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "expected 'train' or 'test'"),
        };
        int n = batch.Count;
        return ImageDataset.FromBytes(Name, batch.Pixels, [n, 3, Cifar10Reader.Side, Cifar10Reader.Side],
            Array.ConvertAll(batch.Labels, l => (int)l), Enumerable.Range(0, n).ToArray());
    }

    string ResolveFolder(DatasetRequest request)
    {
        if (request.DataDirectory is not null) return UserFolder(DownloadedFolder.UserFolder(request, Name));
        string cached = Path.Combine(DownloadedFolder.CacheFolder(request, _source), Cifar10Reader.ArchiveFolder);
        if (Directory.Exists(cached)) return cached;   // complete: placed by one rename
        if (!request.Download)
            throw new InvalidConfigurationException($"dataset 'cifar10' needs --data-dir (the folder with data_batch_1..5.bin and test_batch.bin) or --download to fetch it into {cached}");
        string archiveFolder = (downloader ?? new DatasetDownloader()).EnsureFiles(_source, DownloadedFolder.CacheFolder(request, _source));
        string archive = Path.Combine(archiveFolder, _source.Files[0].FileName);
        Cifar10Reader.ExtractArchive(archive, cached);
        File.Delete(archive);   // 170 MB; the extracted batches are what later runs read
        return cached;
    }

    static string UserFolder(string path)
    {
        if (!Directory.Exists(path)) throw new InvalidInputException(path, "no such folder (--data-dir)");
        if (File.Exists(Path.Combine(path, Cifar10Reader.TrainFiles[0])) || File.Exists(Path.Combine(path, Cifar10Reader.TestFile))) return path;
        string nested = Path.Combine(path, Cifar10Reader.ArchiveFolder);
        if (Directory.Exists(nested)) return nested;
        throw new InvalidInputException(path, $"holds neither {Cifar10Reader.TrainFiles[0]} (the CIFAR-10 binary version) nor a {Cifar10Reader.ArchiveFolder} folder");
    }
}
