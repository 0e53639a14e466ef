using MemScore.Core;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Storage;

public class NpyTests
{
    [Fact]
    public void Npz_round_trips_every_supported_dtype()
    {
        using var dir = new TempDirectory();
        var arrays = new Dictionary<string, NpyArray>
        {
            ["d"] = NpyArray.FromDoubles([1.5, double.NegativeInfinity, -2e300, 0, 1, 2], 2, 3),
            ["f"] = NpyArray.FromFloats([0.25f]),
            ["l"] = NpyArray.FromInt64([long.MinValue, 7]),
            ["i"] = NpyArray.FromInt32([-1, 2, 3]),
            ["b"] = NpyArray.FromBytes([0, 255]),
        };
        Npz.Write(dir["a.npz"], arrays);
        var read = Npz.Read(dir["a.npz"]);
        Assert.Equal(arrays.Keys.Order(), read.Keys.Order());
        Assert.Equal([2L, 3], read["d"].Shape);
        Assert.Equal([1.5, double.NegativeInfinity, -2e300, 0, 1, 2], read["d"].ToDoubles());
        Assert.Equal([0.25f], read["f"].ToFloats());
        Assert.Equal([long.MinValue, 7], read["l"].ToInt64());
        Assert.Equal([-1L, 2, 3], read["i"].ToInt64());
        Assert.Equal([0L, 255], read["b"].ToInt64());
    }

    [Fact]
    public void Header_is_padded_to_64_bytes_as_numpy_requires()
    {
        using var stream = new MemoryStream();
        NpyArray.FromDoubles([1, 2, 3]).WriteTo(stream);
        var bytes = stream.ToArray();
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
        Assert.Contains("'shape': (3,)", System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength));
    }

    [Fact]
    public void Object_arrays_are_refused()
    {
        string header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
        header += new string(' ', 64 - (10 + header.Length + 1) % 64) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(System.Text.Encoding.ASCII.GetBytes(header));
        stream.Position = 0;
        var error = Assert.Throws<InvalidInputException>(() => NpyArray.ReadFrom(stream, "x.npy"));
        Assert.Contains("pickled", error.Message);
    }

    [Fact]
    public void Truncated_and_foreign_files_are_named()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir["junk.npz"], "not a zip");
        Assert.Contains(dir["junk.npz"], Assert.Throws<InvalidInputException>(() => Npz.Read(dir["junk.npz"])).Message);
        using var stream = new MemoryStream();
        NpyArray.FromDoubles([1, 2, 3]).WriteTo(stream);
        var cut = new MemoryStream(stream.ToArray()[..^5]);
        Assert.Contains("truncated", Assert.Throws<InvalidInputException>(() => NpyArray.ReadFrom(cut, "cut.npy")).Message);
    }

    [Fact]
    public void Atomic_write_leaves_old_content_when_the_writer_fails()
    {
        using var dir = new TempDirectory();
        AtomicFile.WriteAllText(dir["f.txt"], "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(dir["f.txt"], s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal("old", File.ReadAllText(dir["f.txt"]));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
