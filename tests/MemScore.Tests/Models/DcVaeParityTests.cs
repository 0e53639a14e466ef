using MemScore.Core;
using MemScore.Tests.Support;
using MemScore.Likelihood;
using MemScore.Models;
using MemScore.Storage;
using static TorchSharp.torch;

namespace MemScore.Tests.Models;

/// <summary>
/// Parity with PyTorch for the four DC-VAE families (and the grey-scale mixture layout):
/// Fixtures/make_dcvae_fixtures.py (Debian's PyTorch 1.13) is an independent implementation of the
/// network and the likelihoods; it records weights, batch-norm state, inputs, noise, the summed negative
/// ELBO in training mode, its gradients, the running statistics afterwards, and IS log p(x) in eval mode.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class DcVaeParityTests
{
    static readonly Dictionary<string, (long Channels, Func<DcVaeHead> Head)> Families = new()
    {
        ["bernoulli_dc_vae"] = (1, () => new BernoulliDcVaeHead()),
        ["gaussian_dc_vae"] = (3, () => new GaussianDcVaeHead(3)),
        ["constant_gaussian_dc_vae"] = (3, () => new ConstantGaussianDcVaeHead()),
        ["mol_dc_vae"] = (3, () => new LogisticMixtureDcVaeHead(3, 3)),
        ["mol_dc_vae_grey"] = (1, () => new LogisticMixtureDcVaeHead(1, 2)),
    };

    public static TheoryData<string> FixtureNames => new(Families.Keys);

    sealed record Fixture(Dictionary<string, NpyArray> Arrays)
    {
        public Tensor Load(string key) => tensor(Arrays[key].ToFloats(), Arrays[key].Shape);
        public double[] Doubles(string key) => Arrays[key].ToDoubles();
    }

    static Fixture Read(string name) =>
        new(Npz.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"parity_{name}.npz")));

    static DcVaeNetwork NetworkWithFixtureState(string name, Fixture fixture)
    {
        var (channels, head) = Families[name];
        var options = new DcVaeOptions((int)fixture.Arrays["latent"].ToInt64()[0], (int)fixture.Arrays["features"].ToInt64()[0]);
        var network = new DcVaeNetwork(options, [channels, 32, 32], head());
        Assert.Equal(Keys(fixture, "param."), network.named_parameters().Select(p => p.name).Order());
        Assert.Equal(Keys(fixture, "buffer."), network.named_buffers().Select(b => b.name).Order());
        using (no_grad())
        {
            foreach (var (key, parameter) in network.named_parameters())
                using (var value = fixture.Load("param." + key)) parameter.copy_(value);
            foreach (var (key, buffer) in network.named_buffers())
                using (var value = LoadBuffer(fixture, "buffer." + key, buffer)) buffer.copy_(value);
        }
        return network;
    }

    static IEnumerable<string> Keys(Fixture fixture, string prefix) =>
        fixture.Arrays.Keys.Where(k => k.StartsWith(prefix)).Select(k => k[prefix.Length..]).Order();

    static Tensor LoadBuffer(Fixture fixture, string key, Tensor like) =>
        like.dtype == ScalarType.Int64 ? tensor(fixture.Arrays[key].ToInt64(), like.shape) : tensor(fixture.Arrays[key].ToFloats(), like.shape);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Negative_elbo_gradients_and_running_statistics_match_pytorch(string name)
    {
        var fixture = Read(name);
        using var network = NetworkWithFixtureState(name, fixture);
        using var model = new VariationalDensityModel(network, network, new ModelDescription("t", new Dictionary<string, string>()), 1e-3, 4);
        network.train();
        using var x = fixture.Load("x");
        using var eps = fixture.Load("eps_train");
        using var loss = model.NegativeElbo(x, eps);
        double expected = fixture.Doubles("neg_elbo")[0];
        // A float32 sum of ~3,000-9,000 per-sub-pixel terms against a reference that is partly float64:
        // rounding of order 1e-7 per term accumulates to ~1e-6 relative; 1e-5 relative leaves headroom.
        Assert.True(Math.Abs(loss.item<float>() - expected) <= 1e-5 * Math.Abs(expected), $"{name}: {loss.item<float>()} vs PyTorch {expected}");

        loss.backward();
        foreach (var (key, parameter) in network.named_parameters())
        {
            using var grad = parameter.grad!;
            using var reference = fixture.Load("grad." + key);
            double scale = Math.Max(1, reference.abs().max().item<float>());
            double maxDiff = (grad - reference).abs().max().item<float>();
            // Gradients are sums over the batch and all sub-pixels; compared relative to the tensor's largest entry.
            Assert.True(maxDiff <= 1e-4 * scale, $"{name} {key}: max |grad difference| {maxDiff}, largest gradient {scale}");
        }
        foreach (var (key, buffer) in network.named_buffers())
        {
            using var reference = LoadBuffer(fixture, "buffer_after." + key, buffer);
            using var difference = (buffer.to_type(ScalarType.Float64) - reference.to_type(ScalarType.Float64)).abs().max();
            // Batch statistics of float32 activations; the momentum update matches to float32 precision.
            Assert.True(difference.item<double>() <= 1e-5, $"{name} {key}: running statistic differs by {difference.item<double>()}");
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Importance_sampled_log_px_matches_pytorch(string name)
    {
        var fixture = Read(name);
        using var network = NetworkWithFixtureState(name, fixture);
        network.eval();
        using var x = fixture.Load("x");
        using var eps = fixture.Load("eps_is");
        using var _ = no_grad();
        using var logpx = ImportanceSampler.LogMarginal(network, x, eps);
        var expected = fixture.Doubles("logpx");
        var actual = logpx.data<double>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            // log p of order 1e3-5e4 nats from float32 sums over 1,024-3,072 sub-pixels: 1e-6 relative is float32 rounding.
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 + 1e-6 * Math.Abs(expected[i]), $"{name} example {i}: {actual[i]} vs PyTorch {expected[i]}");
    }
}
