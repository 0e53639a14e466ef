using MemScore.Tests.Support;
using MemScore.Memorization;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

/// <summary>An ensemble of E members against E separately built and trained Bernoulli MLP VAEs.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class MlpVaeEnsembleTests
{
    const int Latent = 16;
    const int Samples = 8;
    static readonly long[] Seeds = [11, 22, 33];

    // The float64 comparison uses a smaller network on 16x16 images to stay fast: what it checks
    // (the same computation per member) does not depend on the layer sizes.
    static readonly BernoulliMlpVaeOptions Float64Options = new(Latent, [256, 128]);

    static int Side(ScalarType dtype) => dtype == ScalarType.Float64 ? 16 : 32;

    static MlpVaeEnsemble Ensemble(ScalarType dtype = ScalarType.Float32) =>
        new(dtype == ScalarType.Float64 ? Float64Options : new BernoulliMlpVaeOptions(Latent), Side(dtype) * Side(dtype), Seeds, 1e-3, Samples, dtype: dtype);

    static VariationalDensityModel Separate(long seed) =>
        (VariationalDensityModel)BernoulliMlpVae.Create(new ModelContext([1, 32, 32], Latent, 1e-3, Samples, seed));

    /// <summary>A separate model built like BernoulliMlpVae.Create, in float64.</summary>
    static VariationalDensityModel SeparateFloat64(long seed)
    {
        var network = new BernoulliMlpVaeNetwork(Float64Options, 16 * 16);
        using (var generator = new Generator((ulong)seed)) network.Initialize(generator);
        network.to(ScalarType.Float64);
        return new VariationalDensityModel(network, network, new ModelDescription("float64", new Dictionary<string, string>()), 1e-3, Samples);
    }

    static Tensor BinaryImages(int count, ulong seed, int side = 32)
    {
        using var g = new Generator(seed);
        using var u = rand([count, 1, side, side], generator: g);
        return u.lt(0.2).to_type(ScalarType.Float32);
    }

    static double MaxRelativeDifference(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a - b).abs().div(b.abs().add(1e-3)).max().to_type(ScalarType.Float64).item<double>();
    }

    [Fact]
    public void Initial_weights_equal_separately_initialised_models_bit_for_bit()
    {
        using var ensemble = Ensemble();
        for (int e = 0; e < Seeds.Length; e++)
        {
            using var separate = Separate(Seeds[e]);
            var expected = separate.Module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            var actual = ensemble.MemberParameters(e).ToList();
            Assert.Equal(expected.Keys.Order(), actual.Select(p => p.Name).Order());
            Assert.Equal(expected.Count, ensemble.parameters().Count());   // every stacked layer is registered
            foreach (var (name, value) in actual)
                Assert.True(value.equal(expected[name]).all().item<bool>(), $"member {e}: {name} differs");
        }
    }

    /// <summary>VariationalDensityModel.TrainStep's steps; its loss read-out is float32-only.</summary>
    static double Float64TrainStep(VariationalDensityModel model, Tensor batch, Generator noise)
    {
        using var scope = NewDisposeScope();
        model.Optimizer.ZeroGrad();
        var loss = model.NegativeElbo(batch, noise);
        loss.backward();
        model.Optimizer.StepOnce();
        return loss.item<double>() / batch.shape[0];
    }

    /// <summary>What two epochs of the ensemble and of separate models gave, side by side.</summary>
    sealed record Comparison(double[] EnsembleLosses, double[] SeparateLosses, long[] Steps,
        List<(int Member, string Name, double Largest, long BeyondOneInAMillion, long Count)> Weights,
        double[] LogPRelative, double[] EssRelative);

    /// <summary>
    /// E = 3 members and 3 separate models on 200 random binary images for 2 epochs. The members
    /// train on 200, 133 and 129 rows with batch 64: 4, 3 and 3 steps per epoch with last batches of 8, 5
    /// and 1 rows, so padding, masking and idle members are all exercised.
    /// </summary>
    static Comparison TrainTwoEpochs(ScalarType dtype)
    {
        set_num_threads(2);
        using var images = BinaryImages(200, 5, Side(dtype));
        int[][] rows = [Enumerable.Range(0, 200).ToArray(), Enumerable.Range(0, 133).ToArray(), Enumerable.Range(50, 129).ToArray()];
        using var ensemble = Ensemble(dtype);
        Func<long, VariationalDensityModel> build = dtype == ScalarType.Float64 ? SeparateFloat64 : Separate;
        var separate = Seeds.Select(build).ToArray();
        var ensembleLosses = new List<double>();
        var separateLosses = new List<double>();
        try
        {
            for (int epoch = 0; epoch < 2; epoch++)
            {
                var noisesA = Seeds.Select(s => new Generator((ulong)(s * 100 + epoch))).ToArray();
                var noisesB = Seeds.Select(s => new Generator((ulong)(s * 100 + epoch))).ToArray();
                int steps = rows.Max(r => (r.Length + 63) / 64);
                for (int step = 0; step < steps; step++)
                {
                    using var scope = NewDisposeScope();
                    var batches = rows.Select(r => step * 64 >= r.Length ? null
                        : images.index_select(0, tensor(r[(step * 64)..Math.Min(step * 64 + 64, r.Length)].Select(i => (long)i).ToArray()))).ToArray();
                    var losses = ensemble.TrainStep(batches, noisesA.Select((g, e) => batches[e] is null ? null : g).ToArray());
                    for (int e = 0; e < Seeds.Length; e++)
                    {
                        if (batches[e] is null) { Assert.True(double.IsNaN(losses[e])); continue; }
                        ensembleLosses.Add(losses[e]);
                        separateLosses.Add(dtype == ScalarType.Float32 ? separate[e].TrainStep(batches[e]!, noisesB[e])
                            : Float64TrainStep(separate[e], batches[e]!.to_type(dtype), noisesB[e]));
                    }
                }
                foreach (var g in noisesA.Concat(noisesB)) g.Dispose();
            }
            var weights = new List<(int, string, double, long, long)>();
            for (int e = 0; e < Seeds.Length; e++)
            {
                var expected = separate[e].Module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
                foreach (var (name, value) in ensemble.MemberParameters(e))
                {
                    using var difference = (value - expected[name]).abs().to_type(ScalarType.Float64);
                    weights.Add((e, name, difference.max().item<double>(), difference.gt(1e-6).sum().item<long>(), difference.numel()));
                }
            }
            var isA = Seeds.Select(s => new Generator((ulong)(s + 7))).ToArray();
            var (logp, ess) = ensemble.LogLikelihoodWithEss(images, isA);
            var logpRelative = new double[Seeds.Length];
            var essRelative = new double[Seeds.Length];
            for (int e = 0; e < Seeds.Length; e++)
            {
                using var isB = new Generator((ulong)(Seeds[e] + 7));
                var (expectedLogP, expectedEss) = separate[e].LogLikelihoodWithEss(images.to_type(dtype), isB);
                logpRelative[e] = MaxRelativeDifference(logp[e], expectedLogP);
                essRelative[e] = MaxRelativeDifference(ess[e], expectedEss);
            }
            foreach (var g in isA) g.Dispose();
            return new Comparison(ensembleLosses.ToArray(), separateLosses.ToArray(), ensemble.Optimizer.Steps.ToArray(), weights, logpRelative, essRelative);
        }
        finally
        {
            foreach (var m in separate) m.Dispose();
        }
    }

    static void AssertLossesClose(Comparison c, double relative)
    {
        Assert.Equal([8L, 6L, 6L], c.Steps);
        Assert.Equal(20, c.EnsembleLosses.Length);
        for (int i = 0; i < c.EnsembleLosses.Length; i++)
            Assert.True(Math.Abs(c.EnsembleLosses[i] - c.SeparateLosses[i]) <= relative * Math.Abs(c.SeparateLosses[i]),
                $"step loss {i}: ensemble {c.EnsembleLosses[i]}, separate {c.SeparateLosses[i]}");
    }

    [Fact]
    public void In_float64_two_epochs_of_training_equal_separate_models_to_1e_9()
    {
        var c = TrainTwoEpochs(ScalarType.Float64);
        // float64 round-off (~1e-16 per operation) even after Adam's amplification stays far below 1e-9:
        // any difference in what is computed (a wrong slice, a missed or extra step, a padded row that
        // leaks into a gradient, another noise draw) would show at 1e-3 or more.
        AssertLossesClose(c, 1e-9);
        foreach (var (member, name, largest, _, _) in c.Weights)
            Assert.True(largest <= 1e-9, $"member {member}: {name} max |difference| {largest}");
        // log p and ESS are the exception: ImportanceSampler draws float32 noise and adds logvar to eps^2 in
        // place, so the separate model's log q(z|x) keeps float32 rounding (~1e-6 of ~50 nats): that is
        // ~1e-8 of |log p| ~ 200 and ~1e-6 relative in ESS = exp(2 lse(log w) - lse(2 log w)); bounds 10x that.
        Assert.All(c.LogPRelative, d => Assert.True(d <= 1e-7, $"max relative log p difference {d}"));
        Assert.All(c.EssRelative, d => Assert.True(d <= 1e-5, $"max relative ESS difference {d}"));
    }

    [Fact]
    public void In_float32_two_epochs_of_training_and_log_px_match_separate_models_within_round_off()
    {
        var c = TrainTwoEpochs(ScalarType.Float32);
        // Losses are float32 sums of ~65,000 terms added in another order by the batched matmuls.
        AssertLossesClose(c, 1e-5);
        foreach (var (member, name, largest, beyond, count) in c.Weights)
        {
            // Adam amplifies round-off where it divides a near-zero gradient by its near-zero RMS (the update
            // tends to lr * sign(g)) and where a ReLU input sits at ~0 and flips: seen on <= 0.15% of a layer's
            // weights, by at most 3.4e-4 (< lr = 1e-3); the rest agree within 1e-6 (weights O(0.01..0.1)).
            // The float64 test above shows the computation itself is the same.
            Assert.True(largest <= 1e-3, $"member {member}: {name} max |difference| {largest}");
            Assert.True(beyond <= count / 200, $"member {member}: {name} has {beyond} of {count} weights off by > 1e-6");
        }
        // log p(x) ~ -700 nats, float32 sums over 1,024 pixels and 8 samples: relative 1e-5 is ~0.007 nats.
        Assert.All(c.LogPRelative, d => Assert.True(d <= 1e-5, $"max relative log p difference {d}"));
        Assert.All(c.EssRelative, d => Assert.True(d <= 1e-3, $"max relative ESS difference {d}"));
    }
}
