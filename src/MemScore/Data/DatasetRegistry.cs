using MemScore.Core;

namespace MemScore.Data;

/// <summary>Dataset providers keyed by their --dataset name.</summary>
public sealed class DatasetRegistry
{
    readonly Dictionary<string, IDatasetProvider> _providers = new(StringComparer.Ordinal);

    public static DatasetRegistry CreateDefault() => new DatasetRegistry()
        .Add(new MnistSampleDatasetProvider())
        .Add(new MnistDatasetProvider())
        .Add(new FashionMnistDatasetProvider())
        .Add(new IdxDatasetProvider())
        .Add(new Cifar10DatasetProvider())
        .Add(new CelebADatasetProvider())
        .Add(new ImageFolderDatasetProvider());

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
