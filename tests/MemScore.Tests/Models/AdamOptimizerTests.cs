using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

public class AdamOptimizerTests
{
    [Fact]
    public void Matches_torch_adam_to_float_round_off_over_many_steps()
    {
        random.manual_seed(3);
        using var ours = nn.Linear(20, 7);
        using var theirs = nn.Linear(20, 7);
        using (no_grad())
        {
            theirs.weight!.copy_(ours.weight!);
            theirs.bias!.copy_(ours.bias!);
        }
        using var adam = new AdamOptimizer(ours.named_parameters(), 1e-2);
        using var reference = optim.Adam(theirs.parameters(), lr: 1e-2);
        using var g = new Generator(11);
        for (int step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn([16, 20], generator: g);
            var target = randn([16, 7], generator: g);
            adam.ZeroGrad();
            nn.functional.mse_loss(ours.call(x), target).backward();
            adam.StepOnce();
            reference.zero_grad();
            nn.functional.mse_loss(theirs.call(x), target).backward();
            reference.step();
        }
        double diff = (ours.weight! - theirs.weight!).abs().max().item<float>();
        // Same arithmetic in a different kernel order; float32 after 200 steps of size ~1e-2.
        Assert.True(diff < 1e-5, $"max |weight difference| {diff}");
        Assert.Equal(200, adam.Step);
    }

    [Fact]
    public void Restored_state_continues_identically()
    {
        random.manual_seed(4);
        using var a = nn.Linear(5, 3);
        using var b = nn.Linear(5, 3);
        using (no_grad()) { b.weight!.copy_(a.weight!); b.bias!.copy_(a.bias!); }
        using var adamA = new AdamOptimizer(a.named_parameters(), 1e-2);
        using var adamB = new AdamOptimizer(b.named_parameters(), 1e-2);
        using var x = ones(4, 5);
        void Step(nn.Module<Tensor, Tensor> m, AdamOptimizer o) { o.ZeroGrad(); using var l = m.call(x).square().sum(); l.backward(); o.StepOnce(); }
        for (int i = 0; i < 5; i++) Step(a, adamA);
        for (int i = 0; i < 5; i++) Step(b, adamB);
        // Copy a's state into b's optimizer after perturbing it, then both must continue alike.
        var state = adamA.State().ToDictionary(s => s.Name, s => (s.First.data<float>().ToArray(), s.Second.data<float>().ToArray()));
        adamB.Restore(adamA.Step, state);
        for (int i = 0; i < 5; i++) { Step(a, adamA); Step(b, adamB); }
        Assert.True(a.weight!.equal(b.weight!).all().item<bool>());
        Assert.Throws<ArgumentException>(() => adamB.Restore(1, new Dictionary<string, (float[], float[])>()));
    }
}
