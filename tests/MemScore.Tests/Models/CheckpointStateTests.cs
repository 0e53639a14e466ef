using MemScore.Tests.Support;
using MemScore.Core;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class CheckpointStateTests
{
    static VariationalDensityModel Create(int latent, long seed) =>
        (VariationalDensityModel)BernoulliMlpVae.Create(new ModelContext([1, 8, 8], latent, 1e-3, 4, seed));

    [Fact]
    public void State_round_trips_exactly_including_the_optimizer()
    {
        using var a = Create(4, 1);
        using var x = (rand(16, 1, 8, 8) < 0.5).to_type(ScalarType.Float32);
        using var g = new Generator(3);
        for (int i = 0; i < 3; i++) a.TrainStep(x, g);
        using var b = Create(4, 2);
        b.LoadState(a.SaveState(), "test");
        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        Assert.Equal(a.TrainStep(x, g1), b.TrainStep(x, g2));   // bit-identical continuation
        Assert.Equal(4, b.Optimizer.Step);
    }

    [Fact]
    public void Wrong_shapes_types_and_missing_arrays_are_refused_by_name()
    {
        using var small = Create(4, 1);
        using var other = Create(5, 1);
        var error = Assert.Throws<InvalidInputException>(() => small.LoadState(other.SaveState(), "ckpt.npz"));
        Assert.Contains("ckpt.npz: 'param.mu.weight' has shape (5, 256), the model expects (4, 256)", error.Message);

        var state = small.SaveState().ToDictionary(kv => kv.Key, kv => kv.Value);
        state["param.mu.bias"] = NpyArray.FromDoubles(new double[4]);
        Assert.Contains("dtype <f8", Assert.Throws<InvalidInputException>(() => small.LoadState(state, "c")).Message);
        state.Remove("param.mu.bias");
        Assert.Contains("lacks 'param.mu.bias'", Assert.Throws<InvalidInputException>(() => small.LoadState(state, "c")).Message);
    }
}
