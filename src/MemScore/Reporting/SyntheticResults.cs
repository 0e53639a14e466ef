using MemScore.Memorization;
using MemScore.Storage;

namespace MemScore.Reporting;

/// <summary>
/// Task result files with known memorization for a planned run folder (`memscore plan`), so the
/// report can be tested and timed at any size without training: log p(x_i) under a model is
/// base_i + N(0, 1), base_i ~ N(-100, 20^2) nats, plus <c>gain</c> nats (growing linearly to the last
/// evaluation) under the in-models of the planted examples. ESS is S / 2 everywhere.
/// </summary>
internal static class SyntheticResults
{
    /// <returns>The planted rows (the first <paramref name="planted"/> of a seeded shuffle).</returns>
    public static int[] Write(RunContext run, int planted, double gain, int seed)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.InModels is not null) throw new ArgumentException("synthetic results evaluate every in-model: plan the run without --in-models", nameof(run));
        var random = new Random(seed);
        int n = run.Plan.Count;
        var baseline = Enumerable.Range(0, n).Select(_ => -100 + 20 * Gaussian(random)).ToArray();
        var plantedRows = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(planted).Order().ToArray();
        var isPlanted = new bool[n];
        foreach (int i in plantedRows) isPlanted[i] = true;
        var epochs = run.Config.EvaluationEpochs();
        foreach (var task in run.Plan.Tasks())
        {
            var heldOut = run.Plan.HeldOut(task);
            var isOut = new bool[n];
            foreach (int i in heldOut) isOut[i] = true;
            var logp = epochs.Select((_, e) => Enumerable.Range(0, n).Select(i =>
                baseline[i] + Gaussian(random) + (isPlanted[i] && !isOut[i] ? gain * (e + 1) / epochs.Length : 0)).ToArray()).ToArray();
            var ess = epochs.Select(_ => Enumerable.Repeat(run.Config.ImportanceSamples / 2.0, n).ToArray()).ToArray();
            var result = new TaskResult(task, run.Manifest.ConfigHash, epochs, logp, heldOut, Enumerable.Repeat(100.0, run.Config.Epochs).ToArray(), 1.0, ess);
            TaskResultFile.Write(run.Folder.TaskPath(task), result);
        }
        return plantedRows;
    }

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
