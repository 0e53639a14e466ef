using MemScore.Data;

namespace MemScore.Cli;

/// <summary>
/// Every environment variable the library acts on is read here and passed in as a value; the library reads none.
/// MEMSCORE_CACHE, else $XDG_CACHE_HOME/memscore, else ~/.cache/memscore: the data cache when --cache-dir and the
/// run folder name none. MEMSCORE_DOWNLOAD_MIRROR: the download mirror. SLURM_JOB_ID: recorded with a task's failure.
/// LD_PRELOAD: exported to Slurm workers. MEMSCORE_FAULT: the crash-test hook.
/// </summary>
internal static class CliEnvironment
{
    public static DatasetLocations DatasetLocations() =>
        new(DatasetRequest.DefaultCacheDirectory(Read("MEMSCORE_CACHE"), Read("XDG_CACHE_HOME")), Read(DatasetDownloader.MirrorVariable));

    /// <summary>The built-in datasets with this environment's cache and mirror.</summary>
    public static DatasetRegistry Datasets() => DatasetRegistry.CreateDefault(DatasetLocations());

    public static string? SlurmJobId => Read("SLURM_JOB_ID");

    public static string? Preload => Read("LD_PRELOAD");

    public static string? FaultSpecification => Read("MEMSCORE_FAULT");

    static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
