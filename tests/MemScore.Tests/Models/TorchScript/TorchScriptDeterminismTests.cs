using MemScore.Models;
using MemScore.Models.TorchScript;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Models.TorchScript;

/// <summary>
/// Noise inside a module (torch.randn) comes from libtorch's one global generator. Tasks trained at
/// the same time in one process must still see only their own seeds: results are bit-identical to
/// training the same tasks one after another.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class TorchScriptDeterminismTests
{
    const int Steps = 6;

    [TorchScriptFact]
    public void Results_do_not_depend_on_how_many_tasks_run_at_once()
    {
        long[] seeds = [1, 2, 3, 4];
        var sequential = seeds.Select(Train).ToArray();
        var concurrent = seeds.Select(seed => Task.Run(() => Train(seed))).ToArray();
        Task.WaitAll(concurrent);
        for (int i = 0; i < seeds.Length; i++)
        {
            Assert.Equal(sequential[i].Losses, concurrent[i].Result.Losses);
            Assert.Equal(sequential[i].LogP, concurrent[i].Result.LogP);
        }
        Assert.NotEqual(sequential[0].Losses, sequential[1].Losses);
    }

    [TorchScriptFact]
    public void The_module_noise_follows_the_task_generator()
    {
        string path = TorchScriptFixtures.File("small_vae.pt");
        using var model = TorchScriptFamily.Create(TorchScriptFamilyTests.Context(path));
        using var x = TorchScriptFamilyTests.Batch(seed: 8);
        double[] LogP(ulong seed)
        {
            using var noise = new Generator(seed);
            using var logp = model.LogLikelihood(x, noise);
            return logp.data<double>().ToArray();
        }
        Assert.Equal(LogP(5), LogP(5));
        Assert.NotEqual(LogP(5), LogP(6));
    }

    static (double[] Losses, double[] LogP) Train(long seed)
    {
        string path = TorchScriptFixtures.File("small_vae.pt");
        using var model = TorchScriptFamily.Create(TorchScriptFamilyTests.Context(path, initSeed: seed));
        using var x = TorchScriptFamilyTests.Batch(seed);
        using var noise = new Generator((ulong)(seed + 100));
        var losses = Enumerable.Range(0, Steps).Select(_ => model.TrainStep(x, noise)).ToArray();
        using var logp = model.LogLikelihood(x, noise);
        return (losses, logp.data<double>().ToArray());
    }
}
