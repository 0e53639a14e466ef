using System.IO.Compression;
using MemScore.Core;
using MemScore.Data;
using MemScore.Storage;
using MemScore.Tests.Support;

namespace MemScore.Tests.Cli;

/// <summary>
/// The table of broken and hostile inputs: each gives one clear line on stderr naming the file or
/// field, a non-zero documented exit code, and writes no results. Run through the real CLI.
/// (CIFAR-10, CelebA and image-folder readers arrive with their issue; their cases join this table.)
/// </summary>
[Trait("Tier", "EndToEnd")]
public class HostileInputTests
{
    public sealed record Case(string Name, Action<TempDirectory> Setup, Func<TempDirectory, string[]> Args, int ExitCode, Func<TempDirectory, string> Expected)
    {
        public override string ToString() => Name;
    }

    static byte[] Idx(params int[] dims)
    {
        var values = new byte[dims.Aggregate(1, (a, b) => a * b)];
        using var s = new MemoryStream();
        new IdxFile(dims, values).WriteTo(s);
        return s.ToArray();
    }

    static byte[] Gzip(byte[] content)
    {
        using var s = new MemoryStream();
        using (var gz = new GZipStream(s, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(content);
        return s.ToArray();
    }

    static Case IdxCase(string name, byte[] content, string expected, int exit = 3, params string[] extra) =>
        new(name, d => File.WriteAllBytes(d["x-images-idx3-ubyte"], content),
            d => ["run", "--dataset", "idx", "--data-dir", d["x-images-idx3-ubyte"], .. extra], exit, d => expected);

    static Case ConfigCase(string name, string json, string expected) =>
        new(name, d => File.WriteAllText(d["c.json"], json), d => ["run", "--config", d["c.json"]], 3, d => $"{d["c.json"]}: {expected}");

    static Case FlagCase(string name, string expected, params string[] flags) =>
        new(name, _ => { }, _ => ["run", .. flags], 2, _ => expected);

    static readonly string[] TinyRun = ["run", "--limit", "300", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "4", "--threads", "2"];

    /// <summary>A copy of a finished tiny run in d["run"] (made once: <see cref="FinishedRuns"/>), then <paramref name="damage"/> applied to it.</summary>
    static Case RunFolderCase(string name, Action<TempDirectory> damage, string expectedFile, string expected) =>
        new(name, d =>
        {
            FinishedRuns.CopyTo(d["run"], TinyRun);
            File.Delete(d["run/scores.csv"]);
            damage(d);
        }, d => [.. TinyRun, "--out", d["run"]], 0, d => d[expectedFile] + ": " + expected);

    public static TheoryData<Case> Cases()
    {
        var cases = new List<Case>
        {
            IdxCase("idx empty", [], "truncated IDX header"),
            IdxCase("idx bad magic", [9, 9, 8, 3, 0, 0, 0, 1], "bad IDX magic"),
            IdxCase("idx float type", [0, 0, 0x0D, 3, 0, 0, 0, 1], "type code 0x0D"),
            IdxCase("idx zero dims", [0, 0, 8, 0], "dimension count 0"),
            IdxCase("idx nine dims", [0, 0, 8, 9], "dimension count 9"),
            IdxCase("idx truncated sizes", [0, 0, 8, 3, 0, 0, 0, 2, 0, 0], "expected 12 size bytes"),
            IdxCase("idx truncated data", Idx(4, 28, 28)[..500], "truncated IDX data"),
            IdxCase("idx trailing data", [.. Idx(2, 28, 28), 1, 2, 3], "data beyond"),
            IdxCase("idx zero-size dimension", [0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28], "has size 0"),
            IdxCase("idx oversized header (decompression bomb)", [0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff], "more than"),
            IdxCase("gzip garbled", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8], "corrupt gzip stream"),
            IdxCase("gzip truncated", Gzip(Idx(50, 28, 28))[..40], "x-images-idx3-ubyte"),
            IdxCase("gzip of a bomb header", Gzip([0, 0, 8, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 9]), "more than"),
            IdxCase("idx one-dimensional as images", Idx(10), "expected a 3-dimensional IDX image file"),
            IdxCase("idx non-square with padding", Idx(10, 28, 30), "padding needs square images", 2),
            IdxCase("idx larger than pad-to", Idx(10, 40, 40), "smaller than the images", 2),
            IdxCase("idx odd padding difference", Idx(10, 29, 29), "even difference", 2),
            IdxCase("idx fewer examples than folds", Idx(3, 28, 28), "folds = 5", 2),
            new("labels count mismatch", d => { File.WriteAllBytes(d["a-images-idx3-ubyte"], Idx(4, 28, 28)); File.WriteAllBytes(d["a-labels-idx1-ubyte"], Idx(5)); },
                d => ["run", "--dataset", "idx", "--data-dir", d["a-images-idx3-ubyte"]], 3, _ => "expected 4 labels"),
            new("labels garbled", d => { File.WriteAllBytes(d["a-images-idx3-ubyte"], Idx(4, 28, 28)); File.WriteAllBytes(d["a-labels-idx1-ubyte"], [1, 2, 3]); },
                d => ["run", "--dataset", "idx", "--data-dir", d["a-images-idx3-ubyte"]], 3, d => d["a-labels-idx1-ubyte"] + ": truncated IDX header"),
            new("folder without images file", d => Directory.CreateDirectory(d["empty"]), d => ["run", "--dataset", "idx", "--data-dir", d["empty"]], 3, _ => "holds no '*images-idx3*' file"),
            new("folder with two images files", d => { Directory.CreateDirectory(d["two"]); File.WriteAllBytes(d["two/a-images-idx3-ubyte"], Idx(4, 28, 28)); File.WriteAllBytes(d["two/b-images-idx3-ubyte"], Idx(4, 28, 28)); },
                d => ["run", "--dataset", "idx", "--data-dir", d["two"]], 3, _ => "2 '*images-idx3*' files"),
            new("missing path", _ => { }, d => ["run", "--dataset", "idx", "--data-dir", d["nope"]], 3, d => d["nope"] + ": no such file or folder"),
            new("mnist folder without files", d => Directory.CreateDirectory(d["mn"]), d => ["run", "--dataset", "mnist", "--data-dir", d["mn"]], 3, _ => "train-images-idx3-ubyte: file not found"),
            ConfigCase("config unknown field", "{\"foldz\": 3}", "invalid config at '$.foldz'"),
            ConfigCase("config wrong type", "{\"folds\": \"three\"}", "invalid config at '$.folds'"),
            ConfigCase("config NaN", "{\"learning-rate\": NaN}", "invalid config at '$.learning-rate'"),
            ConfigCase("config array", "[1, 2]", "invalid config"),
            ConfigCase("config truncated", "{\"folds\": 3", "invalid config"),
            ConfigCase("config null", "null", "config is 'null'"),
            ConfigCase("config empty file", "", "invalid config"),
            ConfigCase("config number too large", "{\"folds\": 99999999999999}", "invalid config at '$.folds'"),
            new("config negative folds", d => File.WriteAllText(d["c.json"], "{\"folds\": -3}"), d => ["run", "--config", d["c.json"]], 2, _ => "folds = -3"),
            FlagCase("flag folds 1", "folds = 1", "--folds", "1"),
            FlagCase("flag epochs 0", "epochs = 0", "--epochs", "0"),
            FlagCase("flag is-samples 0", "is-samples = 0", "--is-samples", "0"),
            FlagCase("flag batch-size 0", "batch-size = 0", "--batch-size", "0"),
            FlagCase("flag unknown dataset", "dataset = imagenet", "--dataset", "imagenet"),
            FlagCase("flag unknown model", "model = gan", "--model", "gan"),
            FlagCase("flag lr NaN", "learning-rate = NaN", "--lr", "NaN"),
            FlagCase("flag lr negative", "learning-rate = -1", "--lr", "-1"),
            FlagCase("flag limit 1", "limit = 1", "--limit", "1"),
            FlagCase("flag limit above data", "limit = 20000", "--limit", "20000"),
            FlagCase("flag folds above limit", "folds = 30", "--limit", "20", "--folds", "30"),
            FlagCase("flag not a number", "three", "--repeats", "three"),
            FlagCase("flag unknown", "no-such-flag", "--no-such-flag"),
            FlagCase("flag checkpoint-every negative", "checkpoint-every = -1", "--checkpoint-every", "-1"),
            FlagCase("flag train-binarization", "train-binarization = sometimes", "--train-binarization", "sometimes"),
            new("unwritable output", d => File.WriteAllText(d["file"], "x"), d => [.. TinyRun, "--out", d["file/run"]], 4, _ => "not writable"),
        };
        // Damaged run folders (exit codes set below: 3 for unreadable files, 4 for foreign ones).
        cases.Add(RunFolderCase("task result garbled", d => File.WriteAllText(d["run/tasks/r0_f0.npz"], "garbage"), "run/tasks/r0_f0.npz", "not a valid .npz") with { ExitCode = 3 });
        cases.Add(RunFolderCase("task result truncated", d => { var b = File.ReadAllBytes(d["run/tasks/r0_f0.npz"]); File.WriteAllBytes(d["run/tasks/r0_f0.npz"], b[..(b.Length / 2)]); }, "run/tasks/r0_f0.npz", "") with { ExitCode = 3 });
        cases.Add(RunFolderCase("task result from another config", d => File.Copy(d["other/tasks/r0_f0.npz"], d["run/tasks/r0_f0.npz"], true), "run/tasks/r0_f0.npz", "result belongs to config") with
        {
            ExitCode = 4,
            Setup = d =>
            {
                FinishedRuns.CopyTo(d["other"], [.. TinyRun, "--seed", "5"]);
                FinishedRuns.CopyTo(d["run"], TinyRun);
                File.Delete(d["run/scores.csv"]);
                File.Copy(d["other/tasks/r0_f0.npz"], d["run/tasks/r0_f0.npz"], true);
            },
        });
        cases.Add(RunFolderCase("task result with a path-escaping member", d => Npz.Write(d["run/tasks/r0_f0.npz"], new Dictionary<string, NpyArray> { ["../escape"] = NpyArray.FromBytes([1]) }), "run/tasks/r0_f0.npz", "unexpected member") with { ExitCode = 3 });
        cases.Add(RunFolderCase("run.json garbled", d => File.WriteAllText(d["run/run.json"], "{ not json"), "run/run.json", "unreadable run manifest") with { ExitCode = 3 });
        cases.Add(RunFolderCase("checkpoint garbled", d => { File.Delete(d["run/tasks/r0_f1.npz"]); File.WriteAllText(d["run/checkpoints/r0_f1.npz"], "PK junk"); }, "run/checkpoints/r0_f1.npz", "not a valid .npz") with { ExitCode = 3 });
        var data = new TheoryData<Case>();
        foreach (var c in cases) data.Add(c);
        return data;
    }

    [Fact]
    public void The_table_has_at_least_forty_cases() => Assert.True(Cases().Count >= 40, $"{Cases().Count} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_gives_a_clear_error_and_writes_nothing(Case testCase)
    {
        using var dir = new TempDirectory();
        testCase.Setup(dir);
        var args = testCase.Args(dir);
        if (!args.Contains("--out")) args = [.. args, "--out", dir["out"]];
        var result = CliProcess.Run(args);
        Assert.Equal(testCase.ExitCode, result.ExitCode);
        string expected = testCase.Expected(dir);
        Assert.Contains(expected, result.StdErr);
        var errorLines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:")).ToArray();
        Assert.Single(errorLines);
        Assert.False(File.Exists(dir["out/scores.csv"]) || File.Exists(dir["out/run.json"]), "nothing may be written for bad input");
        Assert.False(File.Exists(dir["run/scores.csv"]), "no scores from a damaged run folder");
    }
}
