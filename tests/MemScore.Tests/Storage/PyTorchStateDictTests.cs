using System.Collections;
using MemScore.Core;
using MemScore.Models;
using MemScore.Models.TorchScript;
using MemScore.Storage;
using MemScore.Tests.Models.TorchScript;
using MemScore.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MemScore.Tests.Storage;

/// <summary>
/// State dicts written from a model's saved state: the same weights give the same bytes; the names are the module's
/// parameters and buffers with their values; Debian's PyTorch loads them with load_state_dict(strict=True) into the
/// PyTorch modules shipped in examples/torchscript and computes the encoder and decoder outputs MemScore computes.
/// </summary>
public sealed class PyTorchStateDictTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Same_weights_give_the_same_bytes_and_the_file_holds_every_parameter_under_its_module_name()
    {
        using var dir = new TempDirectory();
        using var model = TrainedMlpVae(dropout: 0);
        var state = ((ICheckpointable)model).SaveState();
        PyTorchStateDict.Write(dir["a.pt"], state);
        PyTorchStateDict.Write(dir["b.pt"], ((ICheckpointable)model).SaveState());
        Assert.Equal(File.ReadAllBytes(dir["a.pt"]), File.ReadAllBytes(dir["b.pt"]));

        Hashtable loaded = PyTorchUnpickler.UnpickleStateDict(dir["a.pt"]);
        var parameters = state.Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(parameters.Select(kv => kv.Key["param.".Length..]).Order(), loaded.Keys.Cast<string>().Order());
        foreach (var (key, array) in parameters)
        {
            using var tensor = (Tensor)loaded[key["param.".Length..]]!;
            Assert.Equal(array.Shape, tensor.shape);
            Assert.Equal(array.ToFloats(), tensor.data<float>().ToArray());   // exact: float32 copied, not computed
        }
    }

    [Fact]
    public void An_unsupported_dtype_or_a_state_without_weights_is_refused_and_nothing_is_written()
    {
        using var dir = new TempDirectory();
        var bytes = new Dictionary<string, NpyArray> { ["param.w"] = NpyArray.FromBytes([1, 2], 2) };
        Assert.Contains("'w' has dtype |u1", Assert.Throws<ArgumentException>(() => PyTorchStateDict.Write(dir["u8.pt"], bytes)).Message);
        var moments = new Dictionary<string, NpyArray> { ["adam_m.w"] = NpyArray.FromFloats([1f], 1) };
        Assert.Contains("no 'param.' or 'buffer.' arrays", Assert.Throws<ArgumentException>(() => PyTorchStateDict.Write(dir["none.pt"], moments)).Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [TorchScriptTheory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Mlp_vae_weights_load_strictly_in_pytorch_and_give_memscores_encoder_and_decoder_outputs(double dropout)
    {
        using var dir = new TempDirectory();
        using var model = TrainedMlpVae(dropout);
        PyTorchStateDict.Write(dir["model.pt"], ((ICheckpointable)model).SaveState());
        var network = (BernoulliMlpVaeNetwork)((VariationalDensityModel)model).Network;
        network.eval();
        using var x = TorchScriptFamilyTests.Batch(seed: 4, count: 6, pixels: 32);
        using var z = randn([5, 16], generator: new TorchSharp.torch.Generator(7));
        var memscore = new Dictionary<string, NpyArray> { ["x"] = Floats(x), ["z"] = Floats(z) };
        using (no_grad())
        {
            var (mu, logvar) = network.Encode(x);
            using var logits = network.DecodeLogits(z);
            (memscore["mu"], memscore["logvar"], memscore["logits"]) = (Floats(mu), Floats(logvar), Floats(logits));
            mu.Dispose();
            logvar.Dispose();
        }
        Npz.Write(dir["memscore.npz"], memscore);
        string script = $"""
            import sys, numpy as np, torch
            sys.path.insert(0, "{TorchScriptFixtures.ExamplesFolder}")
            from load_exported import load
            model = load("{dir["model.pt"]}", {dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)})
            d = np.load("{dir["memscore.npz"]}")
            with torch.no_grad():
                h = model.encoder(torch.from_numpy(d["x"]).flatten(1))
                np.savez("{dir["pytorch.npz"]}", mu=model.mu(h).numpy(), logvar=model.logvar(h).numpy(), logits=model.decoder(torch.from_numpy(d["z"])).numpy())
            """;
        CompareWithPython(dir, script, memscore, ["mu", "logvar", "logits"], $"dropout {dropout}");
    }

    /// <param name="script">Writes pytorch.npz; null: compare with the one written before.</param>
    void CompareWithPython(TempDirectory dir, string? script, Dictionary<string, NpyArray> memscore, string[] names, string label, double tolerance = 1e-4)
    {
        if (script is not null)
        {
            File.WriteAllText(dir["check.py"], script);
            var run = TorchScriptFixtures.RunPython(dir["check.py"]);
            Assert.True(run.Exit == 0, run.Output);
        }
        var pytorch = Npz.Read(dir["pytorch.npz"]);
        foreach (string name in names)
        {
            double[] expected = memscore[name].ToDoubles(), actual = pytorch[name].ToDoubles();
            double worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"{label}: {name} max |PyTorch - MemScore| {worst:E2} over {expected.Length} values");
            // float32 sums of up to 1024 products in another order (PyTorch 1.13 vs libtorch 2.10): round-off ~1e-6 on values of
            // order 1-10; 1e-4 leaves ~100x that and is still far below what one wrong or transposed weight changes.
            Assert.Equal(expected.Length, actual.Length);
            Assert.True(worst <= tolerance, $"{label}: {name}: max |PyTorch - MemScore| = {worst}");
        }
    }

    [TorchScriptTheory]
    [InlineData("bernoulli-dc-vae", 0.0)]
    [InlineData("gaussian-dc-vae", 0.0)]
    [InlineData("constant-gaussian-dc-vae", 0.2)]
    [InlineData("mol-dc-vae", 0.0)]
    public void Dc_vae_weights_and_batch_norm_statistics_load_strictly_into_paper_dc_vae_and_give_memscores_outputs(string family, double dropout)
    {
        using var dir = new TempDirectory();
        var options = ModelOptionValues.Empty.WithAssignments(dropout > 0 ? ["feature-maps=4", $"dropout={dropout}"] : ["feature-maps=4"]);
        using var model = ModelRegistry.CreateDefault().Get(family).Create(new ModelContext([1, 32, 32], 16, 1e-3, 8, InitSeed: 3) { Options = options });
        using var x = family == "bernoulli-dc-vae" ? TorchScriptFamilyTests.Batch(seed: 4, count: 6, pixels: 32) : EightBitBatch(seed: 4, count: 6);
        using (var noise = new TorchSharp.torch.Generator(1))
            for (int step = 0; step < 2; step++) model.TrainStep(x, noise);   // batch-norm statistics move away from 0 and 1
        PyTorchStateDict.Write(dir["model.pt"], ((ICheckpointable)model).SaveState());
        var network = (DcVaeNetwork)((VariationalDensityModel)model).Network;
        network.eval();
        using var z = randn([5, 16], generator: new TorchSharp.torch.Generator(7));
        using var eps = randn([8, 6, 16], generator: new TorchSharp.torch.Generator(9));
        var memscore = new Dictionary<string, NpyArray> { ["x"] = Floats(x), ["z"] = Floats(z), ["eps"] = Floats(eps) };
        using (no_grad())
        {
            var (mu, logvar) = network.Encode(x);
            using var decoded = network.DecodeOutput(z);
            using var logp = MemScore.Likelihood.ImportanceSampler.LogMarginal(network, x, eps);
            (memscore["mu"], memscore["logvar"], memscore["output"]) = (Floats(mu), Floats(logvar), Floats(decoded));
            memscore["logp"] = NpyArray.FromDoubles(logp.data<double>().ToArray(), 6);
            mu.Dispose();
            logvar.Dispose();
        }
        Npz.Write(dir["memscore.npz"], memscore);
        string script = $"""
            import sys, numpy as np, torch
            sys.path.insert(0, "{TorchScriptFixtures.ExamplesFolder}")
            from paper_dc_vae import for_family
            from load_exported import with_dropout
            model = for_family("{family}", 1, 4, 16, 10)
            if {dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)} > 0: with_dropout(model, {dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)})
            model.load_state_dict(torch.load("{dir["model.pt"]}", weights_only=True), strict=True)
            model.eval()
            d = np.load("{dir["memscore.npz"]}")
            with torch.no_grad():
                mu, logvar = model.encode(torch.from_numpy(d["x"]))
                torch.randn = lambda *shape, **options: torch.from_numpy(d["eps"])   # MemScore's importance-sampling noise
                logp = model.log_px(torch.from_numpy(d["x"]), 8)
                np.savez("{dir["pytorch.npz"]}", mu=mu.numpy(), logvar=logvar.numpy(), output=model.decode(torch.from_numpy(d["z"])).numpy(), logp=logp.numpy())
            """;
        CompareWithPython(dir, script, memscore, ["mu", "logvar", "output"], family);
        // log p(x) with the same noise: float32 sums over 1024 sub-pixels, written differently (torch.distributions vs MemScore's
        // closed forms), so round-off grows with |log p| (seen up to 4.6e-4 nats on the logit-space heads): 1e-3 nats plus 1e-6 of |log p|.
        double magnitude = memscore["logp"].ToDoubles().Max(Math.Abs);
        CompareWithPython(dir, null, memscore, ["logp"], $"{family} (|log p| up to {magnitude:F0})", tolerance: 1e-3 + 1e-6 * magnitude);
    }

    [TorchScriptFact]
    public void A_torchscript_models_weights_and_batch_norm_buffers_load_strictly_into_the_scripted_module()
    {
        using var dir = new TempDirectory();
        string module = TorchScriptFixtures.File("dc_vae.pt");
        var context = new ModelContext([1, 32, 32], 16, 1e-3, 8, InitSeed: 3) { Options = new TorchScriptOptions { Path = module }.ToValues() };
        using var model = TorchScriptFamily.Create(context);
        using var x = TorchScriptFamilyTests.Batch(seed: 4, count: 6, pixels: 32);
        using (var noise = new TorchSharp.torch.Generator(1))
            for (int step = 0; step < 2; step++) model.TrainStep(x, noise);
        var state = ((ICheckpointable)model).SaveState();
        PyTorchStateDict.Write(dir["model.pt"], state);
        Npz.Write(dir["model.npz"], state);
        string script = $"""
            import numpy as np, torch
            module = torch.jit.load("{module}")
            state = torch.load("{dir["model.pt"]}", weights_only=True)
            module.load_state_dict(state, strict=True)
            saved = np.load("{dir["model.npz"]}")
            for key in saved.files:
                if key.startswith(("param.", "buffer.")):
                    name = key.split(".", 1)[1]
                    assert np.array_equal(state[name].numpy().reshape(-1), saved[key].reshape(-1)), name
            np.save("{dir["buffers.npy"]}", np.array([sum(1 for k in state if k.endswith("running_var"))], dtype=np.float64))
            """;
        File.WriteAllText(dir["check.py"], script);
        var run = TorchScriptFixtures.RunPython(dir["check.py"]);
        Assert.True(run.Exit == 0, run.Output);
        using var stream = File.OpenRead(dir["buffers.npy"]);
        Assert.True(NpyArray.ReadFrom(stream, dir["buffers.npy"]).ToDoubles()[0] > 0, "the DC-VAE's batch-norm statistics are in the state dict");
    }

    /// <summary>8-bit levels k / 255 (interior and the two end levels), what the 8-bit families score.</summary>
    static Tensor EightBitBatch(long seed, int count)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        using var levels = randint(0, 256, [count, 1, 32, 32], generator: generator);
        using var k = new MemScore.Core.ScalarScope();
        return levels.to_type(ScalarType.Float32).div_(k[255.0]);
    }

    static IDensityModel TrainedMlpVae(double dropout)
    {
        var model = BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 16, 1e-3, 8, InitSeed: 3), dropout);
        using var x = TorchScriptFamilyTests.Batch(seed: 4, count: 6, pixels: 32);
        using var noise = new TorchSharp.torch.Generator(1);
        for (int step = 0; step < 3; step++) model.TrainStep(x, noise);
        return model;
    }

    static NpyArray Floats(Tensor t)
    {
        using var c = t.contiguous();
        return NpyArray.FromFloats(c.data<float>().ToArray(), t.shape);
    }
}
