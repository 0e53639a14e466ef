using MemScore.Benchmarks;
using MemScore.Models;
using TorchSharp.Modules;

namespace MemScore.Tests.Benchmarks;

public class FlopCountTests
{
    [Fact]
    public void Dc_vae_count_matches_a_hand_count_of_the_smallest_network()
    {
        // F = 1, C = 1, latent 1, one output channel. Encoder: 1*1*16*16^2 + 1*2*16*8^2 + 2*4*16*4^2 + 4*8*16*2^2
        // + 2 linear heads 32 -> 1 = 4096 + 2048 + 2048 + 2048 + 64. Decoder: 1*8*4*1 + 8*4*16*2^2 + 4*2*16*4^2
        // + 2*1*16*8^2 + 1*1*16*16^2 = 32 + 2048 + 2048 + 2048 + 4096. Integers, so exact.
        Assert.Equal(new FlopCount(10304, 10272), FlopCount.DcVae(1, 1, 1, 1));
    }

    [Fact]
    public void Dc_vae_count_matches_the_layers_of_the_built_network()
    {
        // Independent of the formula: every convolution's weight count times its output pixels (transposed:
        // input pixels); linear weight counts. The spatial sides follow the paper's 32 -> 16 -> 8 -> 4 -> 2 / 1 -> 2 -> ... -> 32.
        using var network = new DcVaeNetwork(new DcVaeOptions(5, FeatureMaps: 3), [2, 32, 32], new GaussianDcVaeHead(2));
        long[] encoderSides = [16, 8, 4, 2], decoderSides = [1, 2, 4, 8, 16];
        var convs = network.modules().OfType<Conv2d>().Select((m, i) => m.weight!.numel() * encoderSides[i] * encoderSides[i]).Sum();
        var linears = network.modules().OfType<Linear>().Select(m => m.weight!.numel()).Sum();
        var transposed = network.modules().OfType<ConvTranspose2d>().Select((m, i) => m.weight!.numel() * decoderSides[i] * decoderSides[i]).Sum();
        Assert.Equal(new FlopCount(convs + linears, transposed), FlopCount.DcVae(2, 3, 5, 4));
    }

    [Fact]
    public void Real_nvp_count_matches_a_hand_count_of_a_small_flow()
    {
        // 1x4x4, 2 scales, 2 hidden channels. Checkerboard couplings see C + 1 channels (the mask).
        // Scale 0: 3 x (2*2*9*16 + 2*2*1*16 + 2*2*9*16) = 3 x 1216; squeeze to 4x2x2, channel-wise on 2 of 4:
        // 3 x (2*2*9*4 + 2*2*4 + 2*4*9*4) = 3 x 448; keep 2x2x2, last scale 4 x (3*2*9*4 + 2*2*4 + 2*4*9*4) = 4 x 520.
        var count = FlopCount.RealNvp(1, 4, new RealNvpOptions(Scales: 2, HiddenChannels: 2));
        Assert.Equal(new FlopCount(3 * 1216 + 3 * 448 + 4 * 520, 0), count);
    }

    [Fact]
    public void Mlp_vae_count_agrees_with_the_throughput_benchmark()
    {
        var count = FlopCount.MlpVae(1024, 16);
        Assert.Equal(ThroughputBenchmark.FlopsPerImage(256), count.LogLikelihoodFlopsPerImage(256));
        Assert.Equal(6.0 * (count.EncoderMacs + count.DecoderMacs), count.TrainingFlopsPerImage);
    }

    [Fact]
    public void Table_has_a_header_and_one_line_per_row_in_invariant_culture()
    {
        var row = new FamilyBenchmarkRow("x", 64, 1000.5, 10, 2.25, 5, 1e7, 2e9, 20);
        var lines = FamilyBenchmarkTable.Format([row]).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("family", lines[0], StringComparison.Ordinal);
        Assert.Contains("1000.5", lines[1], StringComparison.Ordinal);
        Assert.Contains(" 50.0 ", lines[1], StringComparison.Ordinal);   // train GF/s 10 of peak 20
        Assert.Contains(" 25.0", lines[1], StringComparison.Ordinal);    // IS GF/s 5 of peak 20
    }

    [Fact]
    [Trait("Tier", "EndToEnd")]
    public void Every_family_is_measured_with_positive_rates_and_its_fractions_of_the_peak()
    {
        var cases = FamilyBenchmark.PaperCases();
        Assert.Equal(ModelRegistry.CreateDefault().Names.Where(n => n != "torchscript").Order(), cases.Select(c => c.Family.Name).Order());
        foreach (var setting in cases)
        {
            var row = FamilyBenchmark.Measure(setting, peak: 100, seconds: 0, evalBatch: 1);
            Assert.True(row.TrainImagesPerSecond > 0 && row.IsImagesPerSecond > 0, setting.Family.Name);
            Assert.Equal(row.IsGflops / 100, row.IsFractionOfPeak, 12);   // one division, so agreement to 1e-12 is rounding only
        }
    }
}
