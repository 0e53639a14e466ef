using System.Globalization;
using MemScore.Benchmarks;

// Usage: dotnet run -c Release --project bench/ensemble -- [members] [images] [rounds] [threads]
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
var defaults = new EnsembleBenchmarkOptions();
var options = defaults with { Members = Arg(0, defaults.Members), Images = Arg(1, defaults.Images), Rounds = Arg(2, defaults.Rounds), Threads = Arg(3, defaults.Threads) };
Console.WriteLine($"# {options}");
var timings = new List<EnsembleTiming>();
foreach (var t in EnsembleBenchmark.Run(options))
{
    timings.Add(t);
    Console.WriteLine(FormattableString.Invariant($"round {t.Round} {t.Path,-10} {t.Work,-24} {t.Seconds,8:F2} s {t.PerSecond,9:F1} images/s"));
}
foreach (var group in timings.GroupBy(t => (t.Path, t.Work)))
{
    var seconds = group.Select(t => t.Seconds).Order().ToArray();
    Console.WriteLine(FormattableString.Invariant($"median {group.Key.Path,-10} {group.Key.Work,-24} {seconds[seconds.Length / 2],8:F2} s  (runs: {string.Join(", ", seconds.Select(s => s.ToString("F2")))})"));
}
