using MemScore.Tests.Support;
using MemScore.Likelihood;
using MemScore.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>
/// Issue 18 item 29: training crashed in libtorch ("Unknown scalar type", "Expected false to be true" in
/// c10::Scalar) when a TorchSharp Scalar was finalized on the finalizer thread while native code still
/// used its handle. A Scalar made by an implicit conversion (x.mul(0.5), or inside TorchSharp: square()
/// is pow(2), a + b is add(b, 1)) is unreachable once its handle is read, so a collection started by
/// another thread during the native call may free it. Here several threads train and score tiny models
/// while another thread forces collections and runs finalizers without pause; every result must come
/// out bit for bit as it did on one thread without that pressure, and nothing may throw.
/// </summary>
[Trait("Category", "Stress")]
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ScalarLifetimeStressTests(ITestOutputHelper output)
{
    const int Workers = 4;
    const int Seeds = 3;
    const int StepsPerRound = 12;
    static readonly TimeSpan StressTime = TimeSpan.FromSeconds(8);

    /// <summary>A small model: 4x4 binary images, hidden layer of 8, latent 2; short native calls, many Scalars per second.</summary>
    static VariationalDensityModel TinyVae(long seed)
    {
        var network = new BernoulliMlpVaeNetwork(new BernoulliMlpVaeOptions(LatentDim: 2, HiddenLayers: [8]), [1L, 4, 4]);
        using (var g = new Generator((ulong)seed)) network.Initialize(g);
        var description = new ModelDescription("tiny", new Dictionary<string, string>());
        return new VariationalDensityModel(network, network, description, learningRate: 1e-2, importanceSamples: 4);
    }

    static Tensor Images(long seed)
    {
        using var g = new Generator((ulong)(seed + 100));
        using var u = rand([16, 1, 4, 4], generator: g);
        return u.lt(0.5).to_type(ScalarType.Float32);
    }

    /// <summary>
    /// One short task: a fresh model, some Adam steps, log p(x) with ESS, and the elementwise likelihoods
    /// of the other decoders (Gaussian in logit space, logistic mixture): every number it produced.
    /// </summary>
    static double[] Round(long seed)
    {
        using var scope = NewDisposeScope();
        using var model = TinyVae(seed);
        var x = Images(seed);
        var results = new List<double>();
        using (var noise = new Generator((ulong)seed + 7))
            for (int step = 0; step < StepsPerRound; step++) results.Add(model.TrainStep(x, noise));
        using (var noise = new Generator((ulong)seed + 8))
        {
            var (logP, ess) = model.LogLikelihoodWithEss(x, noise);
            results.AddRange(logP.data<double>().ToArray());
            results.AddRange(ess.data<double>().ToArray());
        }
        using (var g = new Generator((ulong)seed + 9))
        {
            // The test's own arithmetic keeps its Scalars too: an implicit one here races the collector like any other.
            using var k = new MemScore.Core.ScalarScope();
            var images = rand([2, 3, 4, 4], generator: g).mul_(k[0.9]).add_(k[0.05], k.One);
            var mean = randn([2, 3, 4, 4], generator: g);
            var logVariance = randn([2, 3, 4, 4], generator: g);
            results.AddRange(GaussianLikelihood.LogitSpaceLogProbability(images, mean, logVariance).data<float>().ToArray().Select(v => (double)v));
            var output = randn([2, (int)DiscretizedLogisticMixture.OutputChannels(3, 2), 4, 4], generator: g);
            using var parameters = DiscretizedLogisticMixture.Split(output, 3, 2);
            var levels = images.mul(k[255]).floor_().div_(k[255]);
            results.AddRange(DiscretizedLogisticMixture.LogProbability(levels, parameters).data<float>().ToArray().Select(v => (double)v));
        }
        return [.. results];
    }

    [Fact]
    public void Training_and_scoring_on_several_threads_under_forced_collections_match_a_quiet_run_bit_for_bit()
    {
        var expected = Enumerable.Range(0, Seeds).Select(s => Round(s)).ToArray();

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int rounds = 0, collections = 0;
        using var stop = new CancellationTokenSource(StressTime);
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Gen-0 collections are quick, so they come often; implicit Scalars die young.
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true };
        var workers = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            for (int r = w; !stop.IsCancellationRequested && failures.IsEmpty; r++)
            {
                int seed = r % Seeds;
                try
                {
                    var actual = Round(seed);
                    if (!actual.SequenceEqual(expected[seed]))
                    {
                        int k = Enumerable.Range(0, actual.Length).First(i => i >= expected[seed].Length || !actual[i].Equals(expected[seed][i]));
                        failures.Enqueue($"worker {w}, seed {seed}: value {k} is {actual[k]}, expected {expected[seed][k]}");
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue($"worker {w}, seed {seed}: {e.GetType().Name}: {e.Message}");
                }
                Interlocked.Increment(ref rounds);
            }
        }, 16 << 20) { IsBackground = true }).ToArray();
        collector.Start();
        foreach (var t in workers) t.Start();
        foreach (var t in workers) t.Join();
        stop.Cancel();
        collector.Join();

        output.WriteLine($"{rounds} rounds on {Workers} threads under {collections} forced collections, {failures.Count} failure(s)");
        Assert.True(failures.IsEmpty, $"{failures.Count} failure(s) in {rounds} rounds under {collections} forced collections; first: {failures.FirstOrDefault()}");
        Assert.True(rounds >= Workers, $"only {rounds} rounds ran");
    }
}
