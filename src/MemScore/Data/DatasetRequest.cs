namespace MemScore.Data;

/// <summary>What a dataset provider needs to locate its files.</summary>
/// <param name="DataDirectory">User-given folder or file (--data-dir); null when the provider has a default.</param>
/// <param name="CacheDirectory">Where fetched/converted data is kept between runs.</param>
/// <param name="Download">May the provider fetch its data from the public mirror into the cache (--download)?</param>
internal sealed record DatasetRequest(string? DataDirectory, string CacheDirectory, bool Download = false)
{
    /// <summary>
    /// The cache folder when none is given: <paramref name="explicitDirectory"/> if set, else
    /// <paramref name="cacheHome"/>/memscore (the XDG cache home), else ~/.cache/memscore. Front ends pass the
    /// values they read from their environment; the library reads none.
    /// </summary>
    public static string DefaultCacheDirectory(string? explicitDirectory = null, string? cacheHome = null)
    {
        if (!string.IsNullOrEmpty(explicitDirectory)) return explicitDirectory;
        string root = !string.IsNullOrEmpty(cacheHome) ? cacheHome
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "memscore");
    }
}

/// <summary>A named source of images; registered in <see cref="DatasetRegistry"/>.</summary>
internal interface IDatasetProvider
{
    string Name { get; }
    string Description { get; }
    ImageDataset Load(DatasetRequest request);
}

/// <summary>A provider whose data comes in named splits; <see cref="IDatasetProvider.Load"/> gives "train".</summary>
internal interface ISplitDatasetProvider : IDatasetProvider
{
    IReadOnlyList<string> Splits { get; }
    ImageDataset LoadSplit(DatasetRequest request, string split);
}
