using MemScore.Core;

namespace MemScore.Data;

/// <summary>Where the built-in datasets are cached and fetched from; front ends fill it from their environment.</summary>
/// <param name="CacheDirectory">The cache when neither the caller nor the run folder names one (null = ~/.cache/memscore).</param>
/// <param name="DownloadMirror">http(s) base URL replacing every source's host for downloads (null = the official hosts).</param>
internal sealed record DatasetLocations(string? CacheDirectory = null, string? DownloadMirror = null);

/// <summary>Dataset providers keyed by their --dataset name, and the cache used when no other is named.</summary>
internal sealed class DatasetRegistry(string? defaultCacheDirectory = null)
{
    readonly Dictionary<string, IDatasetProvider> _providers = new(StringComparer.Ordinal);

    /// <summary>The cache folder used when neither a request nor a run folder names one.</summary>
    public string DefaultCacheDirectory { get; } = string.IsNullOrEmpty(defaultCacheDirectory) ? DatasetRequest.DefaultCacheDirectory() : defaultCacheDirectory;

    public static DatasetRegistry CreateDefault(DatasetLocations? locations = null)
    {
        var downloader = new DatasetDownloader(locations?.DownloadMirror);
        return new DatasetRegistry(locations?.CacheDirectory)
            .Add(new MnistSampleDatasetProvider())
            .Add(new MnistDatasetProvider(downloader: downloader))
            .Add(new FashionMnistDatasetProvider(downloader: downloader))
            .Add(new IdxDatasetProvider())
            .Add(new Cifar10DatasetProvider(downloader))
            .Add(new CelebADatasetProvider())
            .Add(new ImageFolderDatasetProvider());
    }

    public DatasetRegistry Add(IDatasetProvider provider)
    {
        if (!_providers.TryAdd(provider.Name, provider))
            throw new ArgumentException($"dataset '{provider.Name}' registered twice", nameof(provider));
        return this;
    }

    public IReadOnlyCollection<IDatasetProvider> All => _providers.Values;

    public bool Contains(string name) => _providers.ContainsKey(name);

    public IDatasetProvider Get(string name) =>
        _providers.TryGetValue(name, out var provider) ? provider
        : throw new InvalidConfigurationException($"unknown dataset '{name}': expected one of {string.Join(", ", _providers.Keys)}");
}
