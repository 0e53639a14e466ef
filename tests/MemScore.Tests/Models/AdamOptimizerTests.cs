using MemScore.Models;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
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

    /// <summary>
    /// The lean step against the textbook update computed here in plain double arithmetic, fed the
    /// same gradients, and against torch's Adam, over 200 steps in float64.
    /// </summary>
    [Fact]
    public void Lean_step_equals_the_textbook_formula_and_torch_adam_in_float64()
    {
        const double lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        random.manual_seed(5);
        using var ours = nn.Linear(12, 5).to(ScalarType.Float64);
        using var theirs = nn.Linear(12, 5).to(ScalarType.Float64);
        using (no_grad()) { theirs.weight!.copy_(ours.weight!); theirs.bias!.copy_(ours.bias!); }
        using var adam = new AdamOptimizer(ours.named_parameters(), lr, beta1, beta2, eps);
        using var reference = optim.Adam(theirs.parameters(), lr: lr, beta1: beta1, beta2: beta2, eps: eps);
        double[] weight = ours.weight!.data<double>().ToArray();
        var m = new double[weight.Length];
        var v = new double[weight.Length];
        using var g = new Generator(13);
        for (int t = 1; t <= 200; t++)
        {
            using var scope = NewDisposeScope();
            var x = randn([8, 12], dtype: ScalarType.Float64, generator: g);
            var target = randn([8, 5], dtype: ScalarType.Float64, generator: g);
            adam.ZeroGrad();
            nn.functional.mse_loss(ours.call(x), target).backward();
            double[] grad = ours.weight!.grad!.data<double>().ToArray();
            for (int j = 0; j < weight.Length; j++)
            {
                m[j] = beta1 * m[j] + (1 - beta1) * grad[j];
                v[j] = beta2 * v[j] + (1 - beta2) * grad[j] * grad[j];
                weight[j] -= lr / (1 - Math.Pow(beta1, t)) * m[j] / (Math.Sqrt(v[j]) / Math.Sqrt(1 - Math.Pow(beta2, t)) + eps);
            }
            adam.StepOnce();
            reference.zero_grad();
            nn.functional.mse_loss(theirs.call(x), target).backward();
            reference.step();
        }
        double[] lean = ours.weight!.data<double>().ToArray();
        double textbookDiff = lean.Zip(weight, (a, b) => Math.Abs(a - b)).Max();
        double torchDiff = (ours.weight! - theirs.weight!).abs().max().item<double>();
        // Same quantity computed in another order: float64 round-off (~1e-16 relative per operation) over 200
        // steps of size ~1e-2 on weights of size ~0.3; seen 1.4e-16 (textbook) and 2.8e-17 (torch). 1e-12
        // leaves room for other BLAS/kernel orders while a formula slip fails it: eps not scaled by
        // sqrt(1 - b2^t) moved the weights by 9e-6 here.
        Assert.True(textbookDiff < 1e-12, $"max |lean - textbook| {textbookDiff}");
        Assert.True(torchDiff < 1e-12, $"max |lean - torch Adam| {torchDiff}");
        var (_, first, second) = adam.State().First(s => s.Name == "weight");
        double momentDiff = first.data<double>().ToArray().Zip(m, (a, b) => Math.Abs(a - b)).Max()
            + second.data<double>().ToArray().Zip(v, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(momentDiff < 1e-14, $"moments differ from the textbook by {momentDiff}");   // moments are O(0.1), a few roundings each step
    }

    [Fact]
    public void ZeroGrad_drops_gradients_so_the_next_backward_is_not_accumulated()
    {
        random.manual_seed(6);
        using var layer = nn.Linear(4, 2);
        using var adam = new AdamOptimizer(layer.named_parameters(), 1e-3);
        using var x = ones(3, 4);
        void Backward() { using var loss = layer.call(x).square().sum(); loss.backward(); }
        Backward();
        using var once = layer.weight!.grad!.clone();
        adam.ZeroGrad();
        Assert.Null(layer.weight!.grad);
        Backward();
        using var again = layer.weight!.grad!;
        Assert.True(again.equal(once).all().item<bool>());   // same weights, same input: bit-identical gradient
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
