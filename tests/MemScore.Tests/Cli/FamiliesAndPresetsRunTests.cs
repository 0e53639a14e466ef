using System.Globalization;
using MemScore.Tests.Data;
using MemScore.Tests.Support;
using SkiaSharp;

namespace MemScore.Tests.Cli;

/// <summary>Every model family and every paper preset through the real `memscore run`, scaled down (issue 3).</summary>
[Trait("Tier", "EndToEnd")]
public class FamiliesAndPresetsRunTests
{
    static readonly string[] Small = ["--folds", "2", "--repeats", "1", "--epochs", "2", "--eval-every", "1", "--is-samples", "4", "--threads", "2"];

    static void AssertFiniteScores(string run, int examples)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "scores.csv"));
        Assert.Equal(examples + 1, lines.Length);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            for (int c = 2; c <= 4; c++)
                Assert.True(double.IsFinite(double.Parse(fields[c], CultureInfo.InvariantCulture)), line);
        }
    }

    [Theory]
    [InlineData("gaussian-dc-vae")]
    [InlineData("constant-gaussian-dc-vae")]
    [InlineData("mol-dc-vae")]
    [InlineData("realnvp-flow")]
    public void Family_trains_two_epochs_on_a_few_hundred_digits_and_scores_every_one(string family)
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run(["run", "--model", family, "--limit", "200", .. Small, "--out", dir["run"]]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        AssertFiniteScores(dir["run"], 200);
    }

    /// <summary>CIFAR-10 binary version: records of 1 label byte + R, G, B planes of 32x32 bytes; smooth seeded colour fields.</summary>
    static void WriteCifar10(string folder, int perBatch)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(5);
        byte[] Record()
        {
            var record = new byte[1 + 3072];
            record[0] = (byte)random.Next(10);
            for (int c = 0; c < 3; c++)
            {
                double a = random.NextDouble() * 6, b = random.NextDouble() * 6, offset = random.Next(256);
                for (int p = 0; p < 1024; p++)
                    record[1 + c * 1024 + p] = (byte)((offset + 60 * Math.Sin(a * (p % 32) / 32 + b * (p / 32) / 32)) % 256);
            }
            return record;
        }
        for (int batch = 1; batch <= 5; batch++)
            File.WriteAllBytes(Path.Combine(folder, $"data_batch_{batch}.bin"), Enumerable.Range(0, perBatch).SelectMany(_ => Record()).ToArray());
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Enumerable.Range(0, perBatch).SelectMany(_ => Record()).ToArray());
    }

    [Fact]
    public void Paper_cifar10_preset_runs_scaled_down_and_its_full_run_uses_the_test_split()
    {
        using var dir = new TempDirectory();
        WriteCifar10(dir["cifar"], perBatch: 30);
        var run = CliProcess.Run(["run", "--preset", "paper-cifar10", "--data-dir", dir["cifar"], "--limit", "120", .. Small, "--out", dir["run"]]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        AssertFiniteScores(dir["run"], 120);
        string manifest = File.ReadAllText(dir["run/run.json"]);
        Assert.Contains("\"model\": \"gaussian-dc-vae\"", manifest);
        Assert.Contains("\"flip\": true", manifest);
        Assert.Contains("\"input_kind\": \"dequantized\"", manifest);

        var full = CliProcess.Run(["full", "--preset", "paper-cifar10", "--data-dir", dir["cifar"], "--limit", "120", "--epochs", "1", "--eval-every", "1",
            "--is-samples", "4", "--threads", "2", "--out", dir["full"]]);
        Assert.True(full.ExitCode == 0, full.StdErr);
        Assert.Contains("120 training and 30 test examples (test split)", full.StdOut);
    }

    [Fact]
    public void Paper_celeba_preset_runs_scaled_down_on_aligned_jpegs()
    {
        using var dir = new TempDirectory();
        var random = new Random(9);
        var lines = new List<string>();
        for (int i = 1; i <= 70; i++)
        {
            string name = $"{i:D6}.jpg";
            var (r, g, b) = ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            TestImages.Write(dir[$"celeba/img_align_celeba/{name}"], 178, 218, (x, y) => new SKColor((byte)((r + x) % 256), (byte)((g + y) % 256), b));
            lines.Add($"{name} {(i <= 60 ? 0 : 2)}");
        }
        File.WriteAllLines(dir["celeba/list_eval_partition.txt"], lines);
        var run = CliProcess.Run(["run", "--preset", "paper-celeba", "--data-dir", dir["celeba"], "--cache-dir", dir["cache"], .. Small, "--out", dir["run"]]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        AssertFiniteScores(dir["run"], 60);
        Assert.Contains("\"model\": \"constant-gaussian-dc-vae\"", File.ReadAllText(dir["run/run.json"]));
    }

    [Theory]
    [InlineData("paper-mnist-lr3")]
    [InlineData("paper-mnist-lr4")]
    public void Paper_mnist_presets_run_scaled_down_on_the_embedded_digits(string preset)
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run(["run", "--preset", preset, "--dataset", "mnist-sample", "--limit", "200", .. Small, "--out", dir["run"]]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        AssertFiniteScores(dir["run"], 200);
        Assert.Contains("\"train-binarization\": \"dynamic\"", File.ReadAllText(dir["run/run.json"]));
    }
}
