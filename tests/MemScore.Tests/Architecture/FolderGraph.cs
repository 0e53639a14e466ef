using System.Text;
using System.Text.RegularExpressions;

namespace MemScore.Tests.Architecture;

/// <summary>One library source file: its path under src/MemScore (with '/') and its text.</summary>
public sealed record SourceFile(string Path, string Text)
{
    /// <summary>The library folder the file sits in: the first segment of its path (the namespace's first segment under MemScore).</summary>
    public string Folder => Path.Split('/')[0];

    public static IReadOnlyList<SourceFile> LoadLibrary(string libraryRoot) =>
        Directory.EnumerateFiles(libraryRoot, "*.cs", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(libraryRoot, f).Replace('\\', '/'))
            .Where(p => p.Contains('/') && !p.StartsWith("obj/") && !p.StartsWith("bin/"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => new SourceFile(p, File.ReadAllText(System.IO.Path.Combine(libraryRoot, p))))
            .ToList();
}

/// <summary>One reference from a file in folder <see cref="From"/> to folder <see cref="To"/>.</summary>
public sealed record FolderEdge(string File, int Line, string From, string To)
{
    public override string ToString() => $"{File}:{Line}: {From} -> {To}";
}

/// <summary>
/// The folder dependency graph of the library: every `using MemScore.X` (plain, static, alias, global),
/// every fully qualified `MemScore.X.` and every partly qualified `X.Type` where Type is declared in
/// folder X. Comments and string literals are blanked first, so neither counts.
/// </summary>
public static class FolderGraph
{
    static readonly Regex Qualified = new(@"\bMemScore\.(\w+)");
    static readonly Regex NamespaceLine = new(@"^\s*namespace\s+MemScore\b");
    static readonly Regex Declaration = new(@"\b(?:class|struct|interface|enum|record|delegate\s+\w+)\s+(\w+)");

    public static IReadOnlyList<FolderEdge> Edges(IReadOnlyList<SourceFile> files)
    {
        var code = files.ToDictionary(f => f.Path, f => CodeOnly(f.Text));
        var declared = files.GroupBy(f => f.Folder).ToDictionary(
            g => g.Key, g => g.SelectMany(f => Declaration.Matches(code[f.Path]).Select(m => m.Groups[1].Value)).ToHashSet());
        var partlyQualified = declared.Keys.Count == 0 ? null
            : new Regex(@"(?<![\w.])(" + string.Join("|", declared.Keys.Select(Regex.Escape)) + @")\.(\w+)");
        var edges = new List<FolderEdge>();
        foreach (var file in files)
        {
            var lines = code[file.Path].Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (NamespaceLine.IsMatch(lines[i])) continue;
                var targets = Qualified.Matches(lines[i]).Select(m => m.Groups[1].Value).ToList();
                if (partlyQualified is not null)
                    targets.AddRange(partlyQualified.Matches(lines[i])
                        .Where(m => declared[m.Groups[1].Value].Contains(m.Groups[2].Value))
                        .Select(m => m.Groups[1].Value));
                foreach (string to in targets.Distinct().Where(t => t != file.Folder))
                    edges.Add(new FolderEdge(file.Path, i + 1, file.Folder, to));
            }
        }
        return edges;
    }

    /// <summary>The text with comments and string/char literals replaced by spaces (newlines kept, so line numbers hold).</summary>
    public static string CodeOnly(string text)
    {
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            int end = LiteralOrCommentEnd(text, i);
            if (end == i) { sb.Append(text[i++]); continue; }
            for (; i < end; i++) sb.Append(text[i] == '\n' ? '\n' : ' ');
        }
        return sb.ToString();
    }

    /// <summary>Where a comment or literal starting at <paramref name="i"/> ends (exclusive); <paramref name="i"/> when none starts there.</summary>
    static int LiteralOrCommentEnd(string s, int i)
    {
        if (At(s, i, "//")) return IndexOrEnd(s, "\n", i);
        if (At(s, i, "/*")) return IndexOrEnd(s, "*/", i + 2) + 2;
        int prefix = 0;
        while (i + prefix < s.Length && (s[i + prefix] == '$' || s[i + prefix] == '@')) prefix++;
        if (At(s, i + prefix, "\"\"\"")) return IndexOrEnd(s, "\"\"\"", i + prefix + 3) + 3;
        bool verbatim = s.AsSpan(i, prefix).Contains('@');
        if (At(s, i + prefix, "\"")) return QuotedEnd(s, i + prefix + 1, '"', verbatim);
        if (prefix == 0 && At(s, i, "'") && (i == 0 || !char.IsLetterOrDigit(s[i - 1]))) return QuotedEnd(s, i + 1, '\'', false);
        return i;
    }

    static int QuotedEnd(string s, int j, char quote, bool verbatim)
    {
        while (j < s.Length)
        {
            if (!verbatim && s[j] == '\\') { j += 2; continue; }
            if (s[j] == quote)
            {
                if (verbatim && j + 1 < s.Length && s[j + 1] == quote) { j += 2; continue; }
                return j + 1;
            }
            if (!verbatim && s[j] == '\n') return j;
            j++;
        }
        return s.Length;
    }

    static bool At(string s, int i, string token) => i + token.Length <= s.Length && string.CompareOrdinal(s, i, token, 0, token.Length) == 0;

    static int IndexOrEnd(string s, string token, int from)
    {
        int k = s.IndexOf(token, from, StringComparison.Ordinal);
        return k < 0 ? s.Length - (token == "\n" ? 0 : token.Length) : k;
    }
}
