using System.Diagnostics;
using System.IO.Compression;
using MemScore.Core;
using MemScore.Data;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Data;

/// <summary>
/// Readers against files that are not what they claim (issue 18, items 12, 15, 26, 27, 13, 14): FIFOs and
/// devices in place of files, headers that promise more data than the file holds, zip bombs, links.
/// Nothing may block, and nothing may be allocated for data a file cannot hold.
/// </summary>
public class HostileFileReadersTests
{
    internal static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Runs <paramref name="read"/> on another thread; a read that blocks fails the test instead of hanging it.</summary>
    static T WithinSeconds<T>(int seconds, Func<T> read)
    {
        var task = Task.Run(read);
        Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)) || task.IsFaulted, $"the read blocked for {seconds} s");
        return task.Result;
    }

    static long AllocatedBy(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    static byte[] Header(params int[] dims)
    {
        var header = new List<byte> { 0, 0, 8, (byte)dims.Length };
        foreach (int d in dims) header.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return header.ToArray();
    }

    static byte[] Gzip(byte[] content)
    {
        using var s = new MemoryStream();
        using (var gz = new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(content);
        return s.ToArray();
    }

    [Fact]
    public void A_fifo_in_place_of_an_idx_file_is_refused_without_blocking()
    {
        using var dir = new TempDirectory();
        MakeFifo(dir["train-images-idx3-ubyte"]);
        var error = WithinSeconds(20, () => Record.Exception(() => IdxFile.Read(dir["train-images-idx3-ubyte"])));
        var invalid = Assert.IsType<InvalidInputException>(error);
        Assert.Equal($"{dir["train-images-idx3-ubyte"]}: not a regular file (a FIFO, device or socket; expected an IDX file)", invalid.Message);
    }

    [Fact]
    public void A_device_in_place_of_a_text_file_is_refused_before_reading()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir["list_eval_partition.txt"], "/dev/zero");
        var error = WithinSeconds(20, () => Record.Exception(() => CelebAPartition.Read(dir["list_eval_partition.txt"])));
        Assert.Contains("list_eval_partition.txt: not a regular file", Assert.IsType<InvalidInputException>(error).Message);
        Assert.Contains("is a folder", Assert.Throws<InvalidInputException>(() => InputFile.ReadAllText(dir.Path, ErrorKind.InvalidInput)).Message);
    }

    [Fact]
    public void Text_files_have_a_size_cap()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["big.json"], new byte[1000]);
        var error = Assert.Throws<MemScoreException>(() => InputFile.ReadAllBytes(dir["big.json"], 999, ErrorKind.RunFolder, "a run manifest"));
        Assert.Equal(ErrorKind.RunFolder, error.Kind);
        Assert.Equal($"{dir["big.json"]}: larger than 999 bytes (expected a run manifest)", error.Message);
        Assert.Equal(1000, InputFile.ReadAllBytes(dir["big.json"], 1000, ErrorKind.RunFolder).Length);
    }

    [Fact]
    public void A_gzip_idx_header_promising_more_than_the_file_can_hold_is_refused_before_allocating()
    {
        using var dir = new TempDirectory();
        // 2 x 5000 x 5000 = 50 M values, but ~1 KB of gzip can hold about 1 MB.
        File.WriteAllBytes(dir["x-images-idx3-ubyte.gz"], Gzip([.. Header(2, 5000, 5000), .. new byte[1000]]));
        InvalidInputException? error = null;
        long allocated = AllocatedBy(() => error = Assert.Throws<InvalidInputException>(() => IdxFile.Read(dir["x-images-idx3-ubyte.gz"])));
        Assert.Contains("more than a gzip file of", error!.Message);
        Assert.True(allocated < 10 << 20, $"{allocated >> 20} MB allocated for a header that lies");
    }

    [Fact]
    public void An_idx_header_declaring_huge_images_is_refused_from_the_header()
    {
        using var dir = new TempDirectory();
        // The issue's bomb: 2 x 22000 x 22000 behind a small gzip.
        File.WriteAllBytes(dir["x-images-idx3-ubyte.gz"], Gzip([.. Header(2, 22000, 22000), .. new byte[1 << 20]]));
        InvalidInputException? error = null;
        long allocated = AllocatedBy(() => error = Assert.Throws<InvalidInputException>(() => IdxFile.Read(dir["x-images-idx3-ubyte.gz"])));
        Assert.Contains("items of 22000x22000 = 484000000 values, more than 50000000", error!.Message);
        Assert.True(allocated < 10 << 20, $"{allocated >> 20} MB allocated");
    }

    [Fact]
    public void An_uncompressed_idx_header_promising_more_than_the_file_holds_is_truncated_before_allocating()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir["x"], [.. Header(20, 1000, 1000), .. new byte[100]]);
        InvalidInputException? error = null;
        long allocated = AllocatedBy(() => error = Assert.Throws<InvalidInputException>(() => IdxFile.Read(dir["x"])));
        Assert.Contains("truncated IDX data: header declares 20000000 values (20x1000x1000), found 100", error!.Message);
        Assert.True(allocated < 5 << 20, $"{allocated >> 20} MB allocated");
    }

    [Fact]
    public void A_label_file_of_the_wrong_shape_is_reported_under_its_own_name()
    {
        using var dir = new TempDirectory();
        new IdxFile([4, 28, 28], new byte[4 * 784]).Write(dir["a-images-idx3-ubyte"]);
        new IdxFile([4, 2], new byte[8]).Write(dir["a-labels-idx1-ubyte"]);
        var error = Assert.Throws<InvalidInputException>(() => new IdxDatasetProvider().Load(new DatasetRequest(dir["a-images-idx3-ubyte"], dir["cache"])));
        Assert.Equal(dir["a-labels-idx1-ubyte"], error.Path);
        Assert.Contains("label file holds 4x2 values, expected 4 labels", error.Message);
    }

    [Fact]
    public void Symlinked_cifar_batches_are_read_through_their_links()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir["real"]);
        Directory.CreateDirectory(dir["linked"]);
        for (int b = 1; b <= 5; b++)
        {
            var record = new byte[Cifar10Reader.RecordLength];
            record[0] = (byte)b;
            File.WriteAllBytes(dir[$"real/batch{b}"], [.. record, .. record]);
            File.CreateSymbolicLink(dir[$"linked/data_batch_{b}.bin"], dir[$"real/batch{b}"]);
        }
        var train = Cifar10Reader.ReadTraining(dir["linked"]);
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], train.Labels.Select(l => (int)l));
    }

    static void WriteNpyMember(ZipArchive zip, string name, string header, byte[] data, CompressionLevel level = CompressionLevel.NoCompression)
    {
        var entry = zip.CreateEntry(name, level);
        using var s = entry.Open();
        string padded = header + new string(' ', (64 - (10 + header.Length + 1) % 64) % 64) + "\n";
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)padded.Length, (byte)(padded.Length >> 8)]);
        s.Write(System.Text.Encoding.ASCII.GetBytes(padded));
        s.Write(data);
    }

    [Theory]
    [InlineData("(2, 100000000)", "truncated .npy data: shape (2, 100000000) of <f8 declares 1600000000 bytes")]
    [InlineData("(1000000000000, 1000000000000)", "declares more than")]
    public void A_small_npz_whose_header_declares_a_huge_shape_is_refused_before_allocating(string shape, string expected)
    {
        using var dir = new TempDirectory();
        using (var zip = new ZipArchive(File.Create(dir["t.npz"]), ZipArchiveMode.Create))
            WriteNpyMember(zip, "logp.npy", $"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}", new byte[4096]);
        Exception? error = null;
        long allocated = AllocatedBy(() => error = Record.Exception(() => Npz.Read(dir["t.npz"])));
        Assert.Contains(expected, Assert.IsType<InvalidInputException>(error).Message);
        Assert.Contains(dir["t.npz"] + ":logp.npy", error!.Message);
        Assert.True(allocated < 10 << 20, $"{allocated >> 20} MB allocated");
    }

    [Fact]
    public void A_zip_bomb_in_place_of_a_task_result_is_refused_against_the_plan_before_unpacking()
    {
        using var dir = new TempDirectory();
        const int Values = 25_000_000;   // 200 MB of zeros, deflated to ~200 KB
        using (var zip = new ZipArchive(File.Create(dir["t.npz"]), ZipArchiveMode.Create))
            WriteNpyMember(zip, "logp.npy", $"{{'descr': '<f8', 'fortran_order': False, 'shape': (1, {Values}), }}", new byte[8L * Values], CompressionLevel.Optimal);
        Assert.True(new FileInfo(dir["t.npz"]).Length < 1 << 20);
        Exception? error = null;
        long allocated = AllocatedBy(() => error = Record.Exception(() => TaskResultFile.Read(dir["t.npz"], TaskResultFile.MaxBytes(200, 1, 1))));
        Assert.Contains("members unpack to 200000", Assert.IsType<InvalidInputException>(error).Message);
        Assert.True(allocated < 10 << 20, $"{allocated >> 20} MB allocated");
    }
}
