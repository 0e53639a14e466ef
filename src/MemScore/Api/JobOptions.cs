using MemScore.Models;

namespace MemScore.Api;

/// <summary>
/// Where a job finds its data and how it spreads its work. Nothing here changes the scores: the
/// <see cref="Configuration.ExperimentConfig"/> alone decides them (and its hash names them).
/// The library reads no environment variable: whatever a front end takes from its environment goes here.
/// </summary>
public sealed record JobOptions
{
    /// <summary>Folder for fetched and converted data; null = ~/.cache/memscore (or the folder the run recorded).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>An http(s) base URL serving MIRROR/SOURCE/FILE in place of each dataset's official host; null = the official hosts.</summary>
    public string? DownloadMirror { get; init; }

    /// <summary>May a dataset missing from the cache be fetched from its public host (or <see cref="DownloadMirror"/>)?</summary>
    public bool Download { get; init; }

    /// <summary>Tasks trained at once in this process, each on config.Threads threads; null = one per core budget (the CLI's default).</summary>
    public int? Workers { get; init; }

    /// <summary>Save a running task's state every this many epochs so an interrupted job resumes there (0 = never).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Model families to draw from; null = the built-in ones. Add your own with <see cref="ModelRegistry.Add"/>.</summary>
    public ModelRegistry? Models { get; init; }
}
