#nullable enable
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 entry of .gnu.version_r in every libLibTorchSharp.so
// below SearchDirectory, when the system libstdc++ lacks that version. See PLATFORM.md.
public class MarkGlibcxxRequirementWeak : Task
{
    const string Version = "GLIBCXX_3.4.32";
    const ushort VerFlgWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    [Required] public string SearchDirectory { get; set; } = "";

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    };

    public override bool Execute()
    {
        if (!Directory.Exists(SearchDirectory)) return true;
        var files = Directory.GetFiles(SearchDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (files.Length == 0) return true;
        string? libstdcxx = Array.Find(LibStdCxxCandidates, File.Exists);
        if (libstdcxx == null)
        {
            Log.LogMessage(MessageImportance.Low, "MemScore: no system libstdc++ found; GLIBCXX patch skipped.");
            return true;
        }
        if (Contains(File.ReadAllBytes(libstdcxx), Encoding.ASCII.GetBytes(Version + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"MemScore: {libstdcxx} provides {Version}; no patch needed.");
            return true;
        }
        foreach (var file in files)
        {
            try
            {
                string outcome = Patch(file);
                Log.LogMessage(MessageImportance.Normal, $"MemScore: {file}: {outcome}");
            }
            catch (Exception e)
            {
                Log.LogError($"MemScore: could not patch {file} for {Version}: {e.Message}");
                return false;
            }
        }
        return true;
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    // ELF64 little-endian only (x86_64 / aarch64 Linux).
    static string Patch(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a little-endian ELF64 file");
        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            long strOffset = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
            return PatchVerneed(path, elf, offset, strOffset);
        }
        return "no .gnu.version_r section; left unchanged";
    }

    static string PatchVerneed(string path, byte[] elf, long verneed, long strtab)
    {
        long need = verneed;
        while (true)
        {
            int count = BitConverter.ToUInt16(elf, (int)need + 2);
            long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
            for (int a = 0; a < count; a++)
            {
                uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                if (ReadCString(elf, strtab + name) == Version)
                {
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if ((flags & VerFlgWeak) != 0) return $"{Version} already weak";
                    byte[] patched = BitConverter.GetBytes((ushort)(flags | VerFlgWeak));
                    string temp = path + ".patching";
                    elf[aux + 4] = patched[0];
                    elf[aux + 5] = patched[1];
                    File.WriteAllBytes(temp, elf);
                    File.Delete(path); // never write through: the output copy may be a hard link into the NuGet cache
                    File.Move(temp, path);
                    return $"marked {Version} weak";
                }
                uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                if (next == 0) break;
                aux += next;
            }
            uint nextNeed = BitConverter.ToUInt32(elf, (int)need + 12);
            if (nextNeed == 0) return $"{Version} not required; left unchanged";
            need += nextNeed;
        }
    }

    static string ReadCString(byte[] data, long start)
    {
        long end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
    }
}
