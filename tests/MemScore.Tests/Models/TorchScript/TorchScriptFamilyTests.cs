using MemScore.Core;
using MemScore.Models;
using MemScore.Models.TorchScript;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>Loading a module: the contract checks, the refusals of malformed files, and the initial weights.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class TorchScriptFamilyTests
{
    internal static ModelContext Context(string file, long initSeed = 1, string init = "reset") =>
        new([1, 8, 8], LatentDim: 4, LearningRate: 1e-3, ImportanceSamples: 4, initSeed) { Options = new TorchScriptOptions { Path = file, Init = init }.ToValues() };

    [TorchScriptTheory]
    [InlineData("missing_log_px.pt", "has no method log_px")]
    [InlineData("wrong_shape.pt", "log_px(x [2, 1, 8, 8], 2) returned a Float32 tensor of shape [2, 1]; expected a float tensor of shape [2]")]
    [InlineData("nan_loss.pt", "loss returned NaN or infinite values")]
    [InlineData("pickle_only.pt", "a torch.save pickle")]
    [InlineData("not_torchscript.pt", "not a zip archive")]
    [InlineData("extra_parameter.pt", "parameter 'scale' (shape [3]) is not a Linear, Conv or normalisation weight")]
    public void Malformed_modules_are_refused_naming_the_file_and_the_problem(string name, string expected)
    {
        string path = TorchScriptFixtures.File(name);
        var error = Assert.ThrowsAny<MemScoreException>(() => TorchScriptFamily.Create(Context(path)).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [TorchScriptFact]
    public void A_module_for_other_images_is_refused_with_pytorchs_reason()
    {
        string path = TorchScriptFixtures.File("no_reset.pt");   // 8x8 inputs
        var context = Context(path) with { InputShape = [1, 32, 32] };
        var error = Assert.ThrowsAny<MemScoreException>(() => TorchScriptFamily.Create(context).Dispose());
        Assert.Contains("loss(x [2, 1, 32, 32]) failed: RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x1024 and 64x512)", error.Message);
    }

    [TorchScriptFact]
    public void A_file_that_changed_since_the_run_started_is_refused_naming_both_hashes()
    {
        string path = TorchScriptFixtures.File("small_vae.pt");
        var context = Context(path) with { Options = new TorchScriptOptions { Path = path, Sha256 = new string('0', 64) }.ToValues() };
        var error = Assert.Throws<InvalidConfigurationException>(() => TorchScriptFamily.Create(context).Dispose());
        Assert.Contains(TorchScriptFile.Sha256(path), error.Message);
        Assert.Contains(new string('0', 64), error.Message);
    }

    [TorchScriptFact]
    public void Reset_parameters_is_seeded_per_task_and_init_file_keeps_the_saved_weights()
    {
        string path = TorchScriptFixtures.File("small_vae.pt");
        var a = Weights(TorchScriptFamily.Create(Context(path, initSeed: 1)));
        var again = Weights(TorchScriptFamily.Create(Context(path, initSeed: 1)));
        var b = Weights(TorchScriptFamily.Create(Context(path, initSeed: 2)));
        var file = Weights(TorchScriptFamily.Create(Context(path, initSeed: 1, init: "file")));
        using (var saved = jit.load(path))
            Assert.Equal(saved.named_parameters().SelectMany(p => p.parameter.data<float>().ToArray()), file);
        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, file);
    }

    /// <summary>
    /// Without reset_parameters every Linear weight and bias is U(-b, b), b = 1/sqrt(fan_in) (PyTorch's default).
    /// Statistical part: each tensor's largest |value| must exceed 0.9 b. Null: U(-b, b); for a tensor of n
    /// values it fails with probability 0.9^n, at most 0.9^256 &lt; 2e-12 for the 256-value biases (seed 3, fixed).
    /// </summary>
    [TorchScriptFact]
    public void Modules_without_reset_parameters_get_pytorchs_default_linear_initialisation()
    {
        string path = TorchScriptFixtures.File("no_reset.pt");
        using var model = (TorchScriptModel)TorchScriptFamily.Create(Context(path, initSeed: 3));
        var parameters = model.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var saved = jit.load(path);
        foreach (var (name, savedValue) in saved.named_parameters())
        {
            var weight = parameters[name[..name.LastIndexOf('.')] + ".weight"];
            double bound = 1.0 / Math.Sqrt(weight.shape[1]);
            float[] values = parameters[name].data<float>().ToArray();
            Assert.All(values, v => Assert.InRange(Math.Abs(v), 0, bound));
            if (values.Length >= 256) Assert.True(values.Max(Math.Abs) > 0.9 * bound, $"{name}: max |w| {values.Max(Math.Abs)} vs bound {bound}");
            Assert.NotEqual(savedValue.data<float>().ToArray(), values);
        }
    }

    [TorchScriptFact]
    public void A_checkpoint_restores_the_module_exactly()
    {
        string path = TorchScriptFixtures.File("small_vae.pt");
        using var x = Batch(seed: 5);
        using var trained = TorchScriptFamily.Create(Context(path, initSeed: 1));
        using (var noise = new Generator(9)) trained.TrainStep(x, noise);
        var state = ((ICheckpointable)trained).SaveState();
        using var restored = TorchScriptFamily.Create(Context(path, initSeed: 2));
        ((ICheckpointable)restored).LoadState(state, "test");
        using var noiseA = new Generator(11);
        using var noiseB = new Generator(11);
        using var first = trained.LogLikelihood(x, noiseA);
        using var second = restored.LogLikelihood(x, noiseB);
        Assert.Equal(first.data<double>().ToArray(), second.data<double>().ToArray());
    }

    [TorchScriptFact]
    public void Sample_returns_images_of_the_data_shape_in_the_unit_interval()
    {
        using var model = TorchScriptFamily.Create(Context(TorchScriptFixtures.File("small_vae.pt")));
        using var noise = new Generator(4);
        using var images = Assert.IsAssignableFrom<ISampleableModel>(model).Sample(6, noise, stochastic: false);
        Assert.Equal([6L, 1, 8, 8], images.shape);
        Assert.All(images.data<float>().ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    internal static Tensor Batch(long seed, int count = 16, long pixels = 8)
    {
        using var generator = new Generator((ulong)seed);
        using var uniform = rand([count, 1, pixels, pixels], generator: generator);
        return uniform.round();   // {0, 1}
    }

    static float[] Weights(IDensityModel model)
    {
        using (model)
            return ((TorchScriptModel)model).Module.named_parameters().SelectMany(p => p.parameter.data<float>().ToArray()).ToArray();
    }
}
