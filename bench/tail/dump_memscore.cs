#:project ../../src/MemScore/MemScore.csproj
#:property PublishAot=false
// What MemScore feeds each fold model of a run, so replay.py can train the same models the authors' way.
// Usage: dotnet run -c Release bench/tail/dump_memscore.cs -- RUN_FOLDER OUT_DIR [TRAIN_TASKS]
//   RUN_FOLDER: a `memscore run` folder (run.json gives the config; same data, folds, seeds).
//   Writes OUT_DIR/data.npz (x: scored images [n, D] float32, config numbers) and per task
//   OUT_DIR/r{R}_f{F}.npz: init.<param> (initial weights), order [epochs, n_train] (rows in batch order),
//   train_noise_seed [epochs], eval_seed [1] (uint64 seeds as int64 bit patterns; torch.Generator
//   streams agree between libtorch 2.10 and PyTorch 1.13, see README).
//   TRAIN_TASKS (e.g. r0_f0,r1_f3): these tasks are also trained here with MemScore's own TrainStep and
//   evaluated with EpochTrainer.Evaluate (the production calls, FTZ on, the run's thread count), adding
//   loss_step (per-example mean of every optimizer step), logp, ess and final.<param>.
using System.Globalization;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Data;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Storage;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

string folder = args[0], outDir = args[1];
var trainTasks = args.Length > 2 ? args[2].Split(',').ToHashSet() : [];
DenormalFlushing.SetForCurrentThread(true);
var manifest = RunManifest.Read(Path.Combine(folder, "run.json"));
var config = manifest.Config;
set_num_threads(config.Threads);
using var data = ExperimentData.Prepare(config, DatasetRegistry.CreateDefault(), manifest.CacheDirectory ?? DatasetRequest.DefaultCacheDirectory(), manifest.Input);
if (data.ContentHash != manifest.DatasetHash) throw new InvalidOperationException("data differ from the run's");
var plan = new FoldPlan(data.Count, config.Folds, config.Repeats, config.Seed);
var schedule = new SeedSchedule(config.Seed);
Directory.CreateDirectory(outDir);

using (var all = data.ScoredRows(Enumerable.Range(0, data.Count).ToArray()))
using (var flat = all.reshape(data.Count, -1).contiguous())
    Npz.Write(Path.Combine(outDir, "data.npz"), new Dictionary<string, NpyArray>
    {
        ["x"] = NpyArray.FromFloats(flat.data<float>().ToArray(), flat.shape),
        ["config"] = NpyArray.FromInt64([config.Folds, config.Repeats, config.Epochs, config.BatchSize, config.EvalBatchSize,
            config.ImportanceSamples, config.LatentDim, config.Seed]),
        ["learning_rate"] = NpyArray.FromDoubles([config.LearningRate]),
    });

foreach (var task in plan.Tasks())
{
    var seeds = schedule.Task(task.Repeat, task.Fold);
    int[] rows = plan.TrainingExamples(task);
    var arrays = new Dictionary<string, NpyArray>();
    using var model = (VariationalDensityModel)BernoulliMlpVae.Create(config.ModelContextFor(data.ImageShape, seeds.ModelInit));
    AddParameters(arrays, "init.", model);
    var orders = new long[config.Epochs * rows.Length];
    for (int e = 1; e <= config.Epochs; e++)
    {
        var order = new SplitMix64(seeds.Epoch(e).BatchOrder).Permutation(rows.Length);   // as EpochTrainer.Run
        for (int k = 0; k < rows.Length; k++) orders[(e - 1) * rows.Length + k] = rows[order[k]];
    }
    arrays["order"] = NpyArray.FromInt64(orders, config.Epochs, rows.Length);
    arrays["train_noise_seed"] = NpyArray.FromInt64(Enumerable.Range(1, config.Epochs).Select(e => seeds.Epoch(e).TrainNoise).ToArray());
    arrays["eval_seed"] = NpyArray.FromInt64([seeds.Evaluation(config.Epochs)]);
    arrays["held_out"] = NpyArray.FromInt32(plan.HeldOut(task));
    if (trainTasks.Contains(task.FileStem)) Train(model, task, seeds, orders, rows.Length, arrays);
    Npz.Write(Path.Combine(outDir, task.FileStem + ".npz"), arrays);
}

void Train(VariationalDensityModel model, TaskId task, TaskSeeds seeds, long[] orders, int n, Dictionary<string, NpyArray> arrays)
{
    var batches = TrainingBatches.For(data, config);
    var losses = new List<double>();
    for (int e = 1; e <= config.Epochs; e++)
    {
        using var noise = new Generator((ulong)seeds.Epoch(e).TrainNoise);
        for (int start = 0; start < n; start += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            int size = Math.Min(config.BatchSize, n - start);
            var batch = batches.Make(tensor(orders[((e - 1) * n + start)..((e - 1) * n + start + size)]), null);
            losses.Add(model.TrainStep(batch, noise));
        }
    }
    var (logp, ess) = EpochTrainer.Evaluate(model, data.Scored, config.EvalBatchSize, seeds.Evaluation(config.Epochs), task.ToString(),
        config.Epochs, null, CancellationToken.None);
    arrays["loss_step"] = NpyArray.FromDoubles([.. losses]);
    arrays["logp"] = NpyArray.FromDoubles(logp);
    arrays["ess"] = NpyArray.FromDoubles(ess!);
    AddParameters(arrays, "final.", model);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{task.FileStem}: trained {losses.Count} steps, last loss {losses[^1]:F3}, mean log p {logp.Average():F3}"));
}

static void AddParameters(Dictionary<string, NpyArray> arrays, string prefix, VariationalDensityModel model)
{
    foreach (var (name, p) in model.Module.named_parameters())
    {
        using var values = p.detach().contiguous();
        arrays[prefix + name] = NpyArray.FromFloats(values.data<float>().ToArray(), values.shape);
    }
}
