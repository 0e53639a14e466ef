using MemScore.Tests.Support;
using MemScore.Core;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class ModuleCheckpointTests
{
    static (nn.Module<Tensor, Tensor> Module, AdamOptimizer Adam) Create(int hidden)
    {
        var module = nn.Sequential(nn.Linear(3, hidden), nn.BatchNorm1d(hidden), nn.Linear(hidden, 1));
        return (module, new AdamOptimizer(module.named_parameters(), 1e-2));
    }

    static void Step(nn.Module<Tensor, Tensor> module, AdamOptimizer adam, Tensor x)
    {
        module.train();
        adam.ZeroGrad();
        using var loss = module.call(x).square().mean();
        loss.backward();
        adam.StepOnce();
    }

    [Fact]
    public void Parameters_buffers_and_adam_state_round_trip_exactly()
    {
        var (a, adamA) = Create(4);
        var (b, adamB) = Create(4);
        using var x = randn([8, 3], generator: new Generator(1));
        for (int i = 0; i < 3; i++) Step(a, adamA, x);
        var state = ModuleCheckpoint.Save(a, adamA);
        Assert.Contains("buffer.1.running_mean", state.Keys);
        Assert.Equal("<i8", state["buffer.1.num_batches_tracked"].Descr);
        ModuleCheckpoint.Load(b, adamB, state, "m.npz");
        Assert.Equal(3, adamB.Step);
        foreach (var ((_, ta), (_, tb)) in a.named_buffers().Zip(b.named_buffers()))
            Assert.True(ta.equal(tb).all().item<bool>());
        Step(a, adamA, x);
        Step(b, adamB, x);
        foreach (var ((_, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.equal(pb).all().item<bool>());   // bit-identical continuation needs the moments too
    }

    [Fact]
    public void A_refused_checkpoint_names_the_array_and_leaves_the_model_unchanged()
    {
        var (small, adam) = Create(4);
        var (other, otherAdam) = Create(5);
        using var before = small.named_parameters().First().parameter.clone();
        var error = Assert.Throws<InvalidInputException>(() => ModuleCheckpoint.Load(small, adam, ModuleCheckpoint.Save(other, otherAdam), "c.npz"));
        Assert.Contains("c.npz: 'param.0.weight' has shape (5, 3), the model expects (4, 3)", error.Message);
        Assert.True(small.named_parameters().First().parameter.equal(before).all().item<bool>());

        var state = ModuleCheckpoint.Save(small, adam);
        state["adam_m.2.bias"] = NpyArray.FromDoubles([0.0], 1);
        Assert.Contains("'adam_m.2.bias' has dtype <f8", Assert.Throws<InvalidInputException>(() => ModuleCheckpoint.Load(small, adam, state, "c")).Message);
        state.Remove("buffer.1.running_var");
        state["adam_m.2.bias"] = NpyArray.FromFloats([0f], 1);
        Assert.Contains("lacks 'buffer.1.running_var'", Assert.Throws<InvalidInputException>(() => ModuleCheckpoint.Load(small, adam, state, "c")).Message);
    }

    [Fact]
    public void Only_float32_modules_are_saved()
    {
        using var module = nn.Linear(2, 2, dtype: ScalarType.Float64);
        using var adam = new AdamOptimizer(module.named_parameters(), 1e-3);
        Assert.Throws<ArgumentException>(() => ModuleCheckpoint.Save(module, adam));
    }
}
