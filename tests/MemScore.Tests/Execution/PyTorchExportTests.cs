using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Tests.Support;
using static TorchSharp.torch;

namespace MemScore.Tests.Execution;

/// <summary>
/// --export-pytorch through the real CLI: a tiny run writes one state dict per task that Debian's PyTorch loads with
/// load_state_dict(strict=True) into MlpVae of examples/torchscript and that reproduces the log p(x) stored in the task
/// file when given the task's own evaluation noise; `full` writes model.pt equal to model.npz, also for a finished run;
/// families without a matching PyTorch module, fold ensembles and tasks finished without the export are refused.
/// </summary>
public sealed class PyTorchExportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly string[] Tiny = ["run", "--limit", "40", "--folds", "2", "--repeats", "1", "--epochs", "1", "--is-samples", "8", "--threads", "1"];
    static readonly string[] TinyFull = ["full", "--limit", "60", "--epochs", "1", "--is-samples", "8", "--threads", "1"];

    [TorchScriptFact]
    public void Exported_task_weights_load_strictly_into_pytorch_and_reproduce_the_stored_log_p()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run([.. Tiny, "--export-pytorch", "--out", dir["run"]]);
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Contains("tasks/r*_f*.pt", run.StdOut);
        var config = RunManifest.Read(dir["run/run.json"]).Config;
        using var data = ExperimentData.Prepare(config, DatasetRegistry.CreateDefault(), DatasetRequest.DefaultCacheDirectory(), InputKind.Binary);
        using var x = ImageTransforms.AsIntensities(data.Scored);
        foreach (var task in new[] { new TaskId(0, 0), new TaskId(0, 1) })
        {
            var stored = TaskResultFile.Read(dir[$"run/tasks/{task.FileStem}.npz"]);
            using var eps = EvaluationNoise(config.Seed, task, stored.EvaluationEpochs[^1], config.ImportanceSamples, config.LatentDim, config.EvalBatchSize, data.Count);
            Npz.Write(dir["inputs.npz"], new Dictionary<string, NpyArray> { ["x"] = Floats(x), ["eps"] = Floats(eps) });
            string script = $"""
                import sys, numpy as np, torch
                sys.path.insert(0, "{TorchScriptFixtures.ExamplesFolder}")
                from load_exported import load
                model = load("{dir[$"run/tasks/{task.FileStem}.pt"]}")
                inputs = np.load("{dir["inputs.npz"]}")
                blocks = iter(torch.from_numpy(inputs["eps"]).split({config.EvalBatchSize}, dim=1))
                torch.randn = lambda *shape, **options: next(blocks)   # the task's own evaluation noise, one block per batch
                with torch.no_grad():
                    logp = torch.cat([model.log_px(b, {config.ImportanceSamples}) for b in torch.from_numpy(inputs["x"]).split({config.EvalBatchSize})])
                np.save("{dir["logp.npy"]}", logp.numpy())
                """;
            double[] pytorch = RunScript(dir, script, "logp.npy"), memscore = stored.LogLikelihoods[^1];
            output.WriteLine($"{task.FileStem}: max |PyTorch - stored| {pytorch.Zip(memscore, (a, b) => Math.Abs(a - b)).Max():E2} nats, mean log p {memscore.Average():F1}");
            // Same weights, images and noise; PyTorch 1.13 and libtorch 2.10 may order float32 sums over 1024 pixels differently
            // (seen ~2e-5 nats on log p of about -700 in TorchScriptExportTests); 1e-3 allows ~50x that, far below a wrong weight.
            Assert.Equal(memscore.Length, pytorch.Length);
            for (int i = 0; i < memscore.Length; i++)
                Assert.True(Math.Abs(pytorch[i] - memscore[i]) <= 1e-3, $"{task.FileStem} example {i}: PyTorch {pytorch[i]} vs stored {memscore[i]}");
        }
    }

    [TorchScriptFact]
    public void Full_writes_model_pt_equal_to_model_npz_and_exports_a_finished_run_again()
    {
        using var dir = new TempDirectory();
        var first = CliProcess.Run([.. TinyFull, "--export-pytorch", "--out", dir["full"]]);
        Assert.True(first.ExitCode == 0, first.StdErr);
        string script = $"""
            import sys, numpy as np, torch
            sys.path.insert(0, "{TorchScriptFixtures.ExamplesFolder}")
            from mlp_vae import MlpVae
            state = torch.load("{dir["full/model.pt"]}", weights_only=True)
            MlpVae().load_state_dict(state, strict=True)
            saved = np.load("{dir["full/model.npz"]}")
            names = sorted(k.split(".", 1)[1] for k in saved.files if k.startswith("param."))
            assert sorted(state) == names, (sorted(state), names)
            assert all(np.array_equal(state[n].numpy(), saved["param." + n]) for n in names)
            np.save("{dir["ok.npy"]}", np.array([len(names)], dtype=np.float64))
            """;
        Assert.Equal(14, RunScript(dir, script, "ok.npy")[0]);   // 7 Linear layers (encoder 2, mu, logvar, decoder 3), weight and bias each
        byte[] exported = File.ReadAllBytes(dir["full/model.pt"]);
        File.Delete(dir["full/model.pt"]);
        var again = CliProcess.Run([.. TinyFull, "--export-pytorch", "--out", dir["full"]]);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.Contains("Already finished", again.StdOut);
        Assert.Equal(exported, File.ReadAllBytes(dir["full/model.pt"]));
    }

    [Theory]
    [InlineData("run", "realnvp-flow")]
    [InlineData("full", "realnvp-flow")]
    public void A_family_without_a_pytorch_module_is_refused_before_anything_is_written(string command, string model)
    {
        using var dir = new TempDirectory();
        string[] flags = command == "run" ? Tiny : TinyFull;
        var result = CliProcess.Run([.. flags, "--model", model, "--export-pytorch", "--out", dir["out"]]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"--export-pytorch: model = {model} cannot be exported", result.StdErr);
        Assert.Contains("exportable families: bernoulli-mlp-vae, bernoulli-dc-vae, gaussian-dc-vae, constant-gaussian-dc-vae, mol-dc-vae, torchscript",
            result.StdErr);
        Assert.False(Directory.Exists(dir["out"]), "nothing may be written");
        Assert.Contains("--export-pytorch", CliProcess.Run(command, "--help").StdOut);
    }

    [Fact]
    public void Fold_ensembles_are_refused_and_a_resume_over_tasks_finished_without_the_export_names_them()
    {
        using var dir = new TempDirectory();
        var ensembles = CliProcess.Run([.. Tiny, "--fold-ensembles", "--export-pytorch", "--out", dir["ensembles"]]);
        Assert.Equal(2, ensembles.ExitCode);
        Assert.Contains("--export-pytorch: fold-ensembles = true", ensembles.StdErr);
        Assert.False(Directory.Exists(dir["ensembles"]));

        Assert.Equal(0, CliProcess.Run([.. Tiny, "--out", dir["run"]]).ExitCode);
        byte[] task = File.ReadAllBytes(dir["run/tasks/r0_f0.npz"]);
        var resumed = CliProcess.Run([.. Tiny, "--export-pytorch", "--out", dir["run"]]);
        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("2 task(s) finished without it (r0_f0, r0_f1)", resumed.StdErr);
        Assert.Empty(Directory.GetFiles(dir["run/tasks"], "*.pt"));
        Assert.Equal(task, File.ReadAllBytes(dir["run/tasks/r0_f0.npz"]));
    }

    /// <summary>The noise of the task's evaluation at <paramref name="epoch"/> as EpochTrainer.Evaluate draws it: one [S, B, latent] block per batch from one generator.</summary>
    static Tensor EvaluationNoise(long rootSeed, TaskId task, int epoch, int samples, int latent, int batchSize, int count)
    {
        using var generator = new Generator((ulong)new SeedSchedule(rootSeed).Task(task.Repeat, task.Fold).Evaluation(epoch));
        var blocks = new List<Tensor>();
        for (int start = 0; start < count; start += batchSize)
            blocks.Add(ComputeDevice.Normal([samples, Math.Min(batchSize, count - start), latent], generator, CPU));
        var all = cat(blocks, 1);
        blocks.ForEach(b => b.Dispose());
        return all;
    }

    static NpyArray Floats(Tensor t)
    {
        using var c = t.contiguous();
        return NpyArray.FromFloats(c.data<float>().ToArray(), t.shape);
    }

    static double[] RunScript(TempDirectory dir, string script, string result)
    {
        File.WriteAllText(dir["check.py"], script);
        var run = TorchScriptFixtures.RunPython(dir["check.py"]);
        Assert.True(run.Exit == 0, run.Output);
        using var stream = File.OpenRead(dir[result]);
        return NpyArray.ReadFrom(stream, dir[result]).ToDoubles();
    }
}
