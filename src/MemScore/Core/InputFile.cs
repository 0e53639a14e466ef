using System.Runtime.InteropServices;

namespace MemScore.Core;

internal enum FileKind { Regular, Directory, Other }

/// <summary>
/// What the file system says of a path after following symbolic links: its kind (a FIFO, device or
/// socket is <see cref="FileKind.Other"/>), its identity (device and inode: two paths with the same
/// identity are the same file or folder) and its size.
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
{
    public (ulong Device, ulong Inode) Identity => (Device, Inode);
}

/// <summary>
/// The one way input files are opened: only regular files (after following symbolic links), so a
/// FIFO, a device such as /dev/zero or a folder in place of a file is refused at once naming the
/// path instead of blocking or reading without end; files read whole have a size cap. Errors carry
/// the <see cref="ErrorKind"/> of the caller: data files give InvalidInput, config files
/// InvalidConfiguration, run-folder files RunFolder.
/// </summary>
internal static class InputFile
{
    /// <summary>Cap for small text files read whole (configs, run.json, lock files, CelebA's partition list: ~3.4 MB).</summary>
    public const long MaxTextBytes = 64L << 20;

    /// <summary>The status of <paramref name="path"/> after following links; null when it does not resolve (missing, broken or looping link).</summary>
    public static FileStatus? Stat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return LinuxStat(path, out var status) switch
        {
            StatOutcome.Found => status,
            StatOutcome.Missing => null,
            _ => PortableStat(path),
        };
    }

    /// <summary>The status of a regular file, else the error of <paramref name="kind"/> naming the path and what it is instead.</summary>
    public static FileStatus RequireRegular(string path, ErrorKind kind, string expected = "a file")
    {
        var status = Stat(path) ?? throw Error(kind, path, new FileInfo(path).LinkTarget is null
            ? $"file not found (expected {expected})" : $"symbolic link that leads nowhere or loops (expected {expected})");
        return status.Kind switch
        {
            FileKind.Regular => status,
            FileKind.Directory => throw Error(kind, path, $"is a folder (expected {expected})"),
            _ => throw Error(kind, path, $"not a regular file (a FIFO, device or socket; expected {expected})"),
        };
    }

    /// <summary>Opens a regular file for reading (see <see cref="RequireRegular"/>).</summary>
    public static FileStream OpenRead(string path, ErrorKind kind, string expected = "a file")
    {
        RequireRegular(path, kind, expected);
        try { return File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Error(kind, path, $"cannot be read: {e.Message}", e); }
    }

    /// <summary>All bytes of a regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, ErrorKind kind, string expected = "a file")
    {
        using var stream = OpenRead(path, kind, expected);
        var buffer = new MemoryStream();
        try
        {
            // Reads at most one byte past the cap, whatever the file claims its size to be.
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length))) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes) throw Error(kind, path, $"larger than {maxBytes} bytes (expected {expected})");
            }
        }
        catch (IOException e) { throw Error(kind, path, $"cannot be read: {e.Message}", e); }
        return buffer.ToArray();
    }

    /// <summary>A UTF-8 text file of at most <see cref="MaxTextBytes"/> bytes.</summary>
    public static string ReadAllText(string path, ErrorKind kind, string expected = "a text file") =>
        new StreamReader(new MemoryStream(ReadAllBytes(path, MaxTextBytes, kind, expected)), detectEncodingFromByteOrderMarks: true).ReadToEnd();

    /// <summary>The error of <paramref name="kind"/> for <paramref name="path"/>: "PATH: PROBLEM".</summary>
    public static MemScoreException Error(ErrorKind kind, string path, string problem, Exception? inner = null) => kind switch
    {
        ErrorKind.InvalidInput => new InvalidInputException(path, problem, inner),
        ErrorKind.InvalidConfiguration => new InvalidConfigurationException($"{path}: {problem}"),
        _ => new MemScoreException(kind, $"{path}: {problem}", inner),
    };

    enum StatOutcome { Found, Missing, Unsupported }

    /// <summary>statx(2): its buffer has the same layout on every Linux architecture.</summary>
    static unsafe StatOutcome LinuxStat(string path, out FileStatus status)
    {
        status = default;
        if (!OperatingSystem.IsLinux()) return StatOutcome.Unsupported;
        const int AtFdCwd = -100, StatxBasicStats = 0x7ff, ENOSYS = 38, EPERM = 1;
        byte* buffer = stackalloc byte[256];
        int rc;
        try { rc = Statx(AtFdCwd, path, 0, StatxBasicStats, buffer); }
        catch (EntryPointNotFoundException) { return StatOutcome.Unsupported; }
        if (rc != 0)
            return Marshal.GetLastPInvokeError() is ENOSYS or EPERM ? StatOutcome.Unsupported : StatOutcome.Missing;
        int mode = *(ushort*)(buffer + 28) & 0xF000;
        var kind = mode switch { 0x8000 => FileKind.Regular, 0x4000 => FileKind.Directory, _ => FileKind.Other };
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        status = new FileStatus(kind, device, *(ulong*)(buffer + 32), (long)*(ulong*)(buffer + 40));
        return StatOutcome.Found;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    static extern unsafe int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    /// <summary>Where statx is missing: kinds from .NET (no FIFO detection), identity from the resolved path.</summary>
    static FileStatus? PortableStat(string path)
    {
        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists) return null;
            var final = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            string resolved = Path.GetFullPath(final.FullName);
            ulong identity = 14695981039346656037UL;   // FNV-1a of the resolved path
            foreach (char c in resolved) identity = (identity ^ c) * 1099511628211UL;
            return info is DirectoryInfo ? new FileStatus(FileKind.Directory, 0, identity, 0) : new FileStatus(FileKind.Regular, 0, identity, ((FileInfo)info).Length);
        }
        catch (IOException) { return null; }
    }
}
