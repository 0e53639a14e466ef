
namespace MemScore.Core;

/// <summary>
/// Writes files so that a present file is always a complete file: content goes to a temporary
/// name in the same directory, is flushed to disk, and is then renamed over the target.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(writeContent);
        string temp = TemporaryPath.For(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                FaultInjection.BeforeWrite(path);
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            FaultInjection.Reached("atomic-write");
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MemScoreException(ErrorKind.RunFolder,
                $"{path}: could not write: {e.Message}; finished work is kept, fix the cause (disk space, permissions) and rerun to resume", e);
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { }
        }
    }

    /// <summary>Temporary files are named by <see cref="TemporaryPath.For"/> (".NAME.memscore-HOST-PID-RANDOM.tmp").</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryPath.IsTemporaryName(fileName);

    /// <summary>
    /// Deletes temporary files in <paramref name="directory"/> whose writer is provably gone (<see cref="TemporaryPath.DeleteAbandoned"/>):
    /// never a user's file, never one a live process is writing.
    /// </summary>
    public static void DeleteLeftovers(string directory) => TemporaryPath.DeleteAbandoned(directory);

    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}
