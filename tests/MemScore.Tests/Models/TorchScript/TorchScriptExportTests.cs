using System.Text.RegularExpressions;
using MemScore.Core;
using MemScore.Models;
using MemScore.Models.TorchScript;
using MemScore.Storage;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>
/// Back to PyTorch: weights MemScore trained and saved (the arrays of model.npz) load into the scripted
/// module with README's "Back to PyTorch" lines, and Debian's PyTorch then gives the log p(x) MemScore
/// computed for the same batch, with the global generator seeded as MemScore seeded it.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public partial class TorchScriptExportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    const int Samples = 8;

    [TorchScriptFact]
    public void Saved_weights_load_into_pytorch_and_reproduce_memscores_log_p()
    {
        using var dir = new TempDirectory();
        string module = TorchScriptFixtures.File("dc_vae.pt");
        var context = new ModelContext([1, 32, 32], 16, 1e-3, Samples, InitSeed: 3) { Options = new TorchScriptOptions { Path = module }.ToValues() };
        using var model = TorchScriptFamily.Create(context);
        using var x = TorchScriptFamilyTests.Batch(seed: 4, count: 6, pixels: 32);
        using (var noise = new Generator(1))
            for (int step = 0; step < 3; step++) model.TrainStep(x, noise);
        Npz.Write(dir["model.npz"], ((ICheckpointable)model).SaveState());
        Npz.Write(dir["x.npz"], new Dictionary<string, NpyArray> { ["x"] = NpyArray.FromFloats(x.data<float>().ToArray(), x.shape) });

        using var evaluation = new Generator(2);
        using var seedSource = new Generator(2);
        long seed = GlobalGeneratorLock.DrawSeed(seedSource);
        using var logp = model.LogLikelihood(x, evaluation);

        string script = Snippet().Replace("mlp_vae.pt", module).Replace("runs/full/model.npz", dir["model.npz"]) +
            $"module.eval()\ntorch.manual_seed({seed})\nx = torch.from_numpy(np.load(\"{dir["x.npz"]}\")[\"x\"])\n" +
            $"with torch.no_grad():\n    np.save(\"{dir["logp.npy"]}\", module.log_px(x, {Samples}).numpy())\n";
        File.WriteAllText(dir["reload.py"], script);
        var run = TorchScriptFixtures.RunPython(dir["reload.py"]);
        Assert.True(run.Exit == 0, run.Output);

        double[] pytorch, memscore = logp.data<double>().ToArray();
        using (var stream = File.OpenRead(dir["logp.npy"])) pytorch = NpyArray.ReadFrom(stream, dir["logp.npy"]).ToDoubles();
        output.WriteLine($"max |PyTorch - MemScore| {pytorch.Zip(memscore, (a, b) => Math.Abs(a - b)).Max():E2} nats; mean log p {memscore.Average():F1}");
        // Same weights, batch and draws; PyTorch 1.13 and libtorch 2.10 may order float32 sums differently over
        // 1024 pixels: seen 2.1e-5 nats apart on log p(x) of about -710; 1e-3 allows ~50x that, far below a wrong weight.
        for (int i = 0; i < memscore.Length; i++)
            Assert.True(Math.Abs(pytorch[i] - memscore[i]) <= 1e-3, $"example {i}: PyTorch {pytorch[i]} vs MemScore {memscore[i]}");
    }

    static string Snippet()
    {
        string readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.md"));
        string section = readme[readme.IndexOf("## Back to PyTorch", StringComparison.Ordinal)..];
        return CodeBlock().Match(section).Groups["body"].Value;
    }

    [GeneratedRegex("```python\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
