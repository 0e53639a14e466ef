#:project ../src/MemScore/MemScore.csproj
#:property PublishAot=false
// Fills a planned run folder (`memscore plan`) with synthetic task results and aggregates it, so that
// `memscore report` can be timed at any size without training (MemScore.Reporting.SyntheticResults:
// log p = base_i + N(0, 1), +GAIN nats under the in-models of PLANTED examples).
// Usage: dotnet run bench/synthetic-results.cs -- RUN_FOLDER [PLANTED=50] [GAIN=30] [SEED=1]
using MemScore.Data;
using MemScore.Reporting;
using MemScore.Storage;

string folder = args[0];
int planted = args.Length > 1 ? int.Parse(args[1]) : 50;
double gain = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30;
int seed = args.Length > 3 ? int.Parse(args[3]) : 1;
using var run = RunContext.Open(folder, DatasetRegistry.CreateDefault(), null);
var clock = System.Diagnostics.Stopwatch.StartNew();
SyntheticResults.Write(run, planted, gain, seed);
Aggregator.Aggregate(run, allowPartial: false);
Console.WriteLine($"{folder}: {run.TaskCount} synthetic task results for {run.Plan.Count} examples, {planted} planted, aggregated in {clock.Elapsed.TotalSeconds:F1} s");
