using System.Runtime.InteropServices;
using System.Text;

namespace MemScore.Cli;

/// <summary>
/// Standard output and error as memscore needs them. A stream closed by the caller (<c>&gt;&amp;-</c>) is
/// refused before anything is done: the lowest free descriptor, 1, would otherwise be handed to the
/// next file opened, and what memscore prints would go to that file (or fail with "access denied"
/// after the run had finished). A stream that breaks later (a pipe whose reader went away, as in
/// <c>memscore run | head -1</c>) does not fail the command: further output is dropped after one
/// warning on stderr.
/// </summary>
static class StandardStreams
{
    const int GetStatusFlags = 3;   // F_GETFL
    const int AccessModeMask = 3;   // O_ACCMODE
    const int ReadOnly = 0;         // O_RDONLY

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    static extern int Fcntl(int descriptor, int command);

    /// <summary>Null when descriptor <paramref name="fd"/> can be written to, else why not.</summary>
    static string? Unusable(int fd)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return null;
        try
        {
            int flags = Fcntl(fd, GetStatusFlags);
            if (flags < 0) return "it is closed";
            return (flags & AccessModeMask) == ReadOnly ? "it is closed (the descriptor now belongs to a file opened for reading)" : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
    }

    /// <summary>
    /// Checks both streams; returns the error line for a closed one (stdout), or null. With stderr
    /// closed nothing can be said, so the caller exits with the code alone.
    /// </summary>
    public static (string? Problem, bool ErrorUsable) Check()
    {
        bool errorUsable = Unusable(2) is null;
        if (!errorUsable) Console.SetError(TextWriter.Null);
        string? output = Unusable(1);
        if (output is not null)
        {
            Console.SetOut(TextWriter.Null);
            return ($"standard output: {output} (was memscore started with >&- ?); give it somewhere to write, e.g. >/dev/null", errorUsable);
        }
        Console.SetOut(new GuardedWriter(Console.Out, "standard output"));
        return (null, errorUsable);
    }

    /// <summary>Writes through to <paramref name="inner"/> until a write fails; then one warning on stderr and nothing more.</summary>
    sealed class GuardedWriter(TextWriter inner, string name) : TextWriter
    {
        int _broken;

        public override Encoding Encoding => inner.Encoding;
        public override IFormatProvider FormatProvider => inner.FormatProvider;
        public override string NewLine { get => inner.NewLine; set => inner.NewLine = value; }

        void Guard(Action write)
        {
            if (Volatile.Read(ref _broken) != 0) return;
            try { write(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                if (Interlocked.Exchange(ref _broken, 1) != 0) return;
                try { Console.Error.WriteLine($"warning: {name}: write failed ({e.Message}); the rest of this command's output is dropped, its files are written as usual"); }
                catch (IOException) { }
            }
        }

        public override void Write(char value) => Guard(() => inner.Write(value));
        public override void Write(string? value) => Guard(() => inner.Write(value));
        public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));
        public override void WriteLine() => Guard(inner.WriteLine);
        public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));
        public override void Flush() => Guard(inner.Flush);
    }
}
