using MemScore.Benchmarks;
using MemScore.Models;
using MemScore.Tests.Support;
using TorchSharp.Modules;

namespace MemScore.Tests.Benchmarks;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ThroughputBenchmarkTests
{
    [Fact]
    public void Flop_count_matches_the_networks_layers()
    {
        using var network = new BernoulliMlpVaeNetwork(new BernoulliMlpVaeOptions(), 1024);
        var linears = network.named_modules().Where(m => m.module is Linear).ToArray();
        long Macs(string prefix) => linears.Where(m => m.name.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(m => ((Linear)m.module).weight!.shape[0] * ((Linear)m.module).weight!.shape[1]);
        long encoder = Macs("encoder") + Macs("mu") + Macs("logvar");
        long decoder = Macs("decoder");
        Assert.Equal(2.0 * (encoder + 256 * decoder), ThroughputBenchmark.FlopsPerImage(256));
        Assert.Equal(2.0 * (encoder + decoder), ThroughputBenchmark.FlopsPerImage(1));
    }

    [Fact]
    public void Quick_bench_prints_one_line_per_figure_and_the_fraction_last()
    {
        var result = CliProcess.Run("bench", "--quick", "--threads", "2");
        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["sgemm_peak_gflops", "train_images_per_s", "is_images_per_s_s256", "is_gflops", "is_gflops_fraction_of_peak"],
            lines.Select(l => l.Split('=')[0]));
        var values = lines.Select(l => double.Parse(l.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.All(values, v => Assert.True(v > 0 && double.IsFinite(v)));
        // The fraction is a ratio of the two measured rates, recomputed here from the printed numbers
        // (GFLOP/s rounded to 0.1, the fraction to 0.001): they agree within 0.005. An absolute bound,
        // not xunit's "equal after rounding to 2 places", which fails when the two straddle a rounding edge.
        Assert.InRange(Math.Abs(values[3] / values[0] - values[4]), 0, 0.005);
    }
}
