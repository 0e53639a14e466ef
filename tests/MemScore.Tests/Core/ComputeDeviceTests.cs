using MemScore.Core;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Core;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ComputeDeviceTests
{
    [Fact]
    public void Auto_is_the_cpu_in_this_cpu_build_and_cuda_is_refused_with_the_build_switch()
    {
        Assert.False(cuda.is_available());   // the test project references the CPU libtorch only
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("auto").type);
        Assert.Equal(DeviceType.CPU, ComputeDevice.Resolve("cpu").type);
        var e = Assert.Throws<InvalidConfigurationException>(() => ComputeDevice.Resolve("cuda"));
        Assert.Contains("-p:MemScoreTorchBackend=cuda", e.Message);
        Assert.Throws<InvalidConfigurationException>(() => ComputeDevice.Resolve("tpu"));
    }

    [Fact]
    public void Noise_is_drawn_from_the_seeded_generator_whatever_the_device()
    {
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        using var placed = ComputeDevice.Normal([4, 5], g1, CPU);
        using var plain = randn([4, 5], generator: g2);
        Assert.Equal(plain.data<float>().ToArray(), placed.data<float>().ToArray());
    }

    [Fact]
    public void Cli_refuses_cuda_on_a_cpu_build_and_records_the_device_used()
    {
        using var dir = new TempDirectory();
        var refused = CliProcess.Run("run", "--device", "cuda", "--limit", "100", "--out", dir["gpu"]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("device = cuda", refused.StdErr);
        Assert.False(Directory.Exists(dir["gpu"]));
        var planned = CliProcess.Run("plan", "--limit", "100", "--folds", "2", "--repeats", "1", "--out", dir["run"]);
        Assert.True(planned.ExitCode == 0, planned.StdErr);
        string manifest = File.ReadAllText(dir["run/run.json"]);
        Assert.Contains("\"device\": \"auto\"", manifest);   // as requested, in the config
        Assert.Contains("\"device\": \"cpu\"", manifest);    // as resolved, beside it
    }
}
