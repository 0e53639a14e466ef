using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Core;

/// <summary>
/// --device cpu|cuda|auto, and noise that does not depend on the device. Tensors cross a model's
/// boundary on the CPU (data in, log p(x) out); inside, parameters, activations and noise live on
/// the model's device. Noise is drawn on the CPU from the seeded generator and then moved, so a
/// seed gives the same draws on every device (at the cost of one host-to-device copy).
/// </summary>
internal static class ComputeDevice
{
    public static readonly string[] Names = ["auto", "cpu", "cuda"];

    /// <summary>The device to use; "cuda" without a usable GPU and CUDA build is an error that says how to get one.</summary>
    public static Device Resolve(string name) => name switch
    {
        "cpu" => CPU,
        "auto" => cuda.is_available() ? CUDA : CPU,
        "cuda" => cuda.is_available() ? CUDA : throw new InvalidConfigurationException(
            "device = cuda: no CUDA device is usable (this build has the CPU libtorch, or no NVIDIA driver); " +
            "build with `dotnet build -c Release -p:MemScoreTorchBackend=cuda` on a machine with CUDA 12, or use --device cpu"),
        _ => throw new InvalidConfigurationException($"device = {name}: expected one of {string.Join(", ", Names)}"),
    };

    public static string NameOf(Device device) => device.type == DeviceType.CUDA ? "cuda" : "cpu";

    /// <summary>Standard normal draws of <paramref name="shape"/> from <paramref name="generator"/>, placed on <paramref name="device"/>.</summary>
    public static Tensor Normal(long[] shape, Generator generator, Device device, ScalarType dtype = ScalarType.Float32) =>
        Place(randn(shape, dtype: dtype, generator: generator), device);

    /// <summary>U(0, 1) draws of <paramref name="shape"/> from <paramref name="generator"/>, placed on <paramref name="device"/>.</summary>
    public static Tensor Uniform(long[] shape, Generator generator, Device device, ScalarType dtype = ScalarType.Float32) =>
        Place(rand(shape, dtype: dtype, generator: generator), device);

    /// <summary><paramref name="t"/> itself when it is on <paramref name="device"/>, else a copy there (owned by the caller's dispose scope).</summary>
    public static Tensor On(Tensor t, Device device) =>
        t.device_type == device.type && (device.type == DeviceType.CPU || t.device_index == device.index) ? t : t.to(device);

    /// <summary><paramref name="t"/> itself when on the CPU, else a CPU copy (results cross model boundaries on the CPU).</summary>
    public static Tensor ToHost(Tensor t) => t.device_type == DeviceType.CPU ? t : t.cpu();

    static Tensor Place(Tensor cpu, Device device)
    {
        if (device.type == DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device);
    }
}
