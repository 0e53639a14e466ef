using System.Diagnostics;
using System.Globalization;
using MemScore.Configuration;
using MemScore.Core;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project bench/dp -- [images] [rounds] [threads]
// One process, alternating a normal epoch (Adam on the summed ELBO, shuffled batches of 64) and a DP-SGD epoch (Poisson
// batches of expected size 64, per-example norms, clipped backward, noise) of the paper's MLP VAE on random binary 32x32
// images; the same number of steps each. The machine is shared, so the ratio of medians is the figure, not the seconds.
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
int images = Arg(0, 64 * 100), rounds = Arg(1, 3), threads = Arg(2, 1);
DenormalFlushing.SetForCurrentThread(true);
set_num_threads(threads);
using var generator = new Generator(1);
using var k = new ScalarScope();
using var prepared = ExperimentData.FromScored(rand([images, 1, 32, 32], generator: generator).lt(k[0.2]).to_type(ScalarType.Float32));
var batches = new TrainingBatches(prepared, redraw: false, flip: false);
int[] rows = Enumerable.Range(0, images).ToArray();
using var normal = BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 16, 1e-3, 16, 1));
using var dp = BernoulliMlpVae.Create(new ModelContext([1, 32, 32], 16, 1e-3, 16, 1));
var step = new DpSgdStep(Clip: 1, NoiseStd: 1);
double Normal(int round) => Time(() => EpochTrainer.Run(normal, batches, rows, 64, new EpochSeeds(round, round, round), "bench", round, default));
double Private(int round) => Time(() => PoissonEpochTrainer.Run((IPrivatelyTrainable)dp, batches, rows, 64, new EpochSeeds(round, round, round),
    new PrivateEpochSeeds(round, round), step, "bench", round, default));
Normal(0); Private(0);   // warm-up
var times = new List<(double Normal, double Private)>();
for (int r = 1; r <= rounds; r++)
{
    var pair = (Normal(r), Private(r));
    times.Add(pair);
    Console.WriteLine(FormattableString.Invariant($"round {r}: normal {pair.Item1:F2} s, dp-sgd {pair.Item2:F2} s, ratio {pair.Item2 / pair.Item1:F2}"));
}
double Median(IEnumerable<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }
double n = Median(times.Select(t => t.Normal)), p = Median(times.Select(t => t.Private));
Console.WriteLine(FormattableString.Invariant($"median over {rounds} rounds, {images} images, {threads} thread(s): normal epoch {n:F2} s, dp-sgd epoch {p:F2} s, ratio {p / n:F2}"));

static double Time(Action work)
{
    var clock = Stopwatch.StartNew();
    work();
    return clock.Elapsed.TotalSeconds;
}
