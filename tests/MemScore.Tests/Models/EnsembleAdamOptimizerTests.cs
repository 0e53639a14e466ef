using MemScore.Models;
using MemScore.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class EnsembleAdamOptimizerTests
{
    const int Members = 3;

    /// <summary>Applies the same gradients to stacked [E, 7, 5] parameters and to E separate [7, 5] ones.</summary>
    static (Parameter Stacked, Parameter[] Separate, EnsembleAdamOptimizer Ensemble, AdamOptimizer[] Single) Setup()
    {
        using var g = new Generator(7);
        using var initial = randn([Members, 7, 5], generator: g);
        var stacked = new Parameter(initial.clone());
        var separate = Enumerable.Range(0, Members).Select(e => new Parameter(initial[e].clone())).ToArray();
        var ensemble = new EnsembleAdamOptimizer([("w", stacked)], Members, 1e-2);
        var single = separate.Select(p => new AdamOptimizer([("w", p)], 1e-2)).ToArray();
        return (stacked, separate, ensemble, single);
    }

    static void SetGradients(Parameter stacked, Parameter[] separate, Generator g)
    {
        using var scope = NewDisposeScope();
        // Gradients from a loss sum(w * c): d/dw = c exactly, so both sides see bit-identical gradients.
        var c = randn([Members, 7, 5], generator: g).mul(torch.logspace(-6, 2, Members).reshape(Members, 1, 1));
        stacked.mul(c).sum().backward();
        for (int e = 0; e < Members; e++) separate[e].mul(c[e]).sum().backward();
    }

    [Fact]
    public void Each_member_gets_exactly_the_update_of_a_separate_adam_including_idle_steps()
    {
        var (stacked, separate, ensemble, single) = Setup();
        using var g = new Generator(8);
        for (int step = 0; step < 30; step++)
        {
            // Every 7th step member 1 sits out (its epoch ended early), so step counts drift apart.
            bool[] active = [true, step % 7 != 3, true];
            ensemble.ZeroGrad();
            foreach (var o in single) o.ZeroGrad();
            SetGradients(stacked, separate, g);
            ensemble.StepOnce(active);
            for (int e = 0; e < Members; e++) if (active[e]) single[e].StepOnce();
        }
        Assert.Equal([30L, 26L, 30L], ensemble.Steps);
        for (int e = 0; e < Members; e++)
        {
            // Same elementwise float32 operations in the same order: bit-identical, not merely close.
            Assert.True(stacked[e].equal(separate[e]).all().item<bool>(), $"member {e} weights differ");
            var (_, first, second) = ensemble.MemberState(e).Single();
            var (_, expectedFirst, expectedSecond) = single[e].State().Single();
            Assert.True(first.equal(expectedFirst).all().item<bool>() && second.equal(expectedSecond).all().item<bool>(), $"member {e} moments differ");
        }
    }

    [Fact]
    public void Refuses_parameters_without_the_member_dimension_and_wrong_flag_counts()
    {
        using var flat = new Parameter(zeros(4, 5));
        Assert.Contains("'w' has shape (4, 5)", Assert.Throws<ArgumentException>(() => new EnsembleAdamOptimizer([("w", flat)], Members, 1e-3)).Message);
        using var ok = new Parameter(zeros(Members, 5));
        using var adam = new EnsembleAdamOptimizer([("w", ok)], Members, 1e-3);
        Assert.Throws<ArgumentException>(() => adam.StepOnce([true, true]));
    }
}
