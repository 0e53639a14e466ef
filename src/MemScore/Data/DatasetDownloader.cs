using System.Security.Cryptography;
using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// Fetches the published files of a data set into a folder. Each file is streamed to a temporary
/// name beside its target, checked against its size and SHA-256, and only then renamed into place:
/// a present file is always a complete, verified one, and a failed download leaves nothing behind.
/// The base URL of every source can be replaced by a mirror (the CLI reads it from <see cref="MirrorVariable"/>) that
/// serves <c>MIRROR/SOURCE-NAME/FILE</c>; the checksums stay the official ones.
/// </summary>
internal sealed class DatasetDownloader
{
    public const string MirrorVariable = "MEMSCORE_DOWNLOAD_MIRROR";
    const int BufferSize = 1 << 16;

    // HttpClient.Timeout bounds the wait for the response headers; body reads have their own idle limit.
    static readonly HttpClient SharedClient = new() { Timeout = TimeSpan.FromMinutes(2) };

    readonly string? _mirror;
    readonly HttpClient _http;
    readonly TimeSpan _idleLimit;
    readonly TimeSpan _deadline;

    /// <param name="mirror">Base URL (http or https) replacing every source's own; null for the official hosts.</param>
    /// <param name="idleLimit">A download that receives nothing for this long fails (default 60 s).</param>
    /// <param name="deadline">A download not complete after this long fails, however steadily data trickles in (default 1 hour).</param>
    public DatasetDownloader(string? mirror = null, HttpClient? http = null, TimeSpan? idleLimit = null, TimeSpan? deadline = null)
    {
        if (!string.IsNullOrEmpty(mirror) &&
            !(Uri.TryCreate(mirror, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0))
            throw new InvalidConfigurationException($"{MirrorVariable} = {mirror}: expected an http:// or https:// URL such as http://host/datasets");
        _mirror = string.IsNullOrEmpty(mirror) ? null : mirror.TrimEnd('/');
        _http = http ?? SharedClient;
        _idleLimit = idleLimit ?? TimeSpan.FromSeconds(60);
        _deadline = deadline ?? TimeSpan.FromHours(1);
    }

    public Uri UrlOf(DownloadSource source, RemoteFile file) =>
        new(_mirror is null ? source.BaseUrl + file.FileName : $"{_mirror}/{source.Name}/{file.FileName}");

    /// <summary>Downloads the files of <paramref name="source"/> that <paramref name="folder"/> lacks; returns the folder.</summary>
    public string EnsureFiles(DownloadSource source, string folder)
    {
        WritableFolder.Ensure(folder, "data cache (--cache-dir)");
        TemporaryPath.DeleteAbandoned(folder);   // partial downloads of killed processes
        foreach (var file in source.Files)
        {
            string target = Path.Combine(folder, file.FileName);
            if (!File.Exists(target)) Download(UrlOf(source, file), file, target);
        }
        return folder;
    }

    /// <summary>Fetches <paramref name="url"/> to <paramref name="target"/> if its size and SHA-256 match <paramref name="file"/>.</summary>
    public void Download(Uri url, RemoteFile file, string target)
    {
        string temp = TemporaryPath.For(target);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            var (bytes, sha256) = FetchAsync(url, file.Size, temp).GetAwaiter().GetResult();
            if (bytes != file.Size)
                throw Failure(url, $"received {bytes} bytes, expected {file.Size} (transfer cut short, or not the published file); nothing was kept");
            if (!sha256.Equals(file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw Failure(url, $"SHA-256 mismatch: expected {file.Sha256}, got {sha256}; nothing was kept");
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { }
        }
    }

    async Task<(long Bytes, string Sha256)> FetchAsync(Uri url, long expectedSize, string temp)
    {
        long received = 0;
        using var overall = new CancellationTokenSource(_deadline);
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, overall.Token);
            if (!response.IsSuccessStatusCode)
                throw Failure(url, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var body = await response.Content.ReadAsStreamAsync();
            await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[BufferSize];
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
                idle.CancelAfter(_idleLimit);
                int read = await body.ReadAsync(buffer, idle.Token);
                if (read == 0) break;
                received += read;
                if (received > expectedSize)
                    throw Failure(url, $"server sent more than the {expectedSize} bytes of the published file; nothing was kept");
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read));
            }
            output.Flush(flushToDisk: true);
            return (received, Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            string reason = e is not OperationCanceledException ? e.Message
                : overall.IsCancellationRequested ? $"not complete within the overall limit of {NpmPackageFetcher.Describe(_deadline)}"
                : $"no data arrived in time (idle limit {NpmPackageFetcher.Describe(_idleLimit)})";
            throw Failure(url, $"download failed after {received} of {expectedSize} bytes: {reason}; nothing was kept", e);
        }
    }

    static MemScoreException Failure(Uri url, string problem, Exception? inner = null) =>
        new(ErrorKind.External, $"{url}: {problem}", inner);
}

/// <summary>Where a downloadable data set is read from: --data-dir, or its folder in the cache.</summary>
static class DownloadedFolder
{
    public static string CacheFolder(DatasetRequest request, DownloadSource source) => Path.Combine(request.CacheDirectory, source.Name);

    /// <summary>--data-dir, refused together with --download (which writes to the cache only).</summary>
    public static string UserFolder(DatasetRequest request, string dataset) =>
        request.Download
            ? throw new InvalidConfigurationException($"dataset '{dataset}': --download fetches into the cache directory and --data-dir reads your own copy; give one of them")
            : request.DataDirectory!;

    /// <summary>The cache folder when it holds every file; else fetched there when --download allows; else null.</summary>
    public static string? Find(DatasetRequest request, DownloadSource source, DatasetDownloader? downloader)
    {
        string folder = CacheFolder(request, source);
        if (source.Files.All(f => File.Exists(Path.Combine(folder, f.FileName)))) return folder;
        if (!request.Download) return null;
        return (downloader ?? new DatasetDownloader()).EnsureFiles(source, folder);
    }
}
