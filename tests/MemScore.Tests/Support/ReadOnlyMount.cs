using System.Diagnostics;

namespace MemScore.Tests.Support;

/// <summary>
/// A folder made read-only by a read-only bind mount onto itself. Tests run as root, and chmod does
/// not stop root from writing; a read-only mount does (EROFS). Unmounted on dispose.
/// </summary>
public sealed class ReadOnlyMount : IDisposable
{
    readonly string _path;

    internal ReadOnlyMount(string path) => _path = path;

    public static ReadOnlyMount Create(string path)
    {
        string? error = Mount(path);
        if (error is not null) throw new InvalidOperationException($"cannot mount {path} read-only: {error}");
        return new ReadOnlyMount(path);
    }

    /// <summary>Null when done, else why not.</summary>
    internal static string? Mount(string path)
    {
        string? error = Run("mount", "--bind", path, path);
        if (error is not null) return error;
        error = Run("mount", "-o", "remount,bind,ro", path, path);
        if (error is not null) Run("umount", path);
        return error;
    }

    static string? Run(string program, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in args) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{program} exited {p.ExitCode}: {err.Trim()}";
        }
        catch (Exception e) { return $"{program} failed: {e.Message}"; }
    }

    public void Dispose() => Run("umount", _path);
}

/// <summary>A fact that needs read-only bind mounts (root with CAP_SYS_ADMIN); otherwise skipped with the reason.</summary>
public sealed class ReadOnlyMountFactAttribute : FactAttribute
{
    static readonly string? Unavailable = Probe();

    public ReadOnlyMountFactAttribute()
    {
        if (Unavailable is not null) Skip = "read-only bind mounts unavailable (needed because root ignores chmod): " + Unavailable;
    }

    static string? Probe()
    {
        string dir = Path.Combine(Path.GetTempPath(), "memscore-ro-probe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string? error = ReadOnlyMount.Mount(dir);
            if (error is not null) return error;
            try
            {
                File.WriteAllText(Path.Combine(dir, "x"), "");
                return "the mount is still writable";
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
            finally { new ReadOnlyMount(dir).Dispose(); }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
