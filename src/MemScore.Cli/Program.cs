using MemScore.Cli;
using MemScore.Cli.Commands;
using MemScore.Core;
using Spectre.Console.Cli;

return MemScoreCli.Run(args);

namespace MemScore.Cli
{
    /// <summary>Entry point: configures commands and maps errors to one-line messages and exit codes.</summary>
    public static class MemScoreCli
    {
        public static int Run(string[] args)
        {
            // Before anything is opened: a closed stdout's descriptor would go to the next file opened.
            var (streamProblem, errorUsable) = StandardStreams.Check();
            if (streamProblem is not null)
            {
                if (errorUsable) Console.Error.WriteLine($"error: {streamProblem}");
                return ExitCodes.InvalidArguments;
            }
            FaultInjection.Arm(CliEnvironment.FaultSpecification);
            // Before any tensor work, so libtorch's worker threads inherit it (see DenormalFlushing).
            DenormalFlushing.SetForCurrentThread(true);
            int reported = 0;
            int Interrupted(string? signal)
            {
                if (Interlocked.Exchange(ref reported, 1) == 0)
                    Console.Error.WriteLine($"interrupted{(signal is null ? "" : $" ({signal})")}: finished tasks are kept; rerun the same command to resume.");
                return ExitCodes.Cancelled;
            }
            using var interruption = new Interruption(signal => Environment.Exit(Interrupted(signal)));
            var app = new CommandApp();
            app.Configure(c =>
            {
                c.SetApplicationName("memscore");
                c.PropagateExceptions();
                c.UseStrictParsing();
                c.SetInterceptor(new FlagErrors.MissingValueInterceptor(args));
                c.AddCommand<RunCommand>("run")
                    .WithDescription("Train L x K fold models, estimate log p(x) of every example, write memorization scores. " + ExitCodes.Help)
                    .WithExample("run")
                    .WithExample("run", "--dataset", "fashion-mnist", "--limit", "2000", "--folds", "5", "--repeats", "1", "--epochs", "3");
                c.AddCommand<FullCommand>("full")
                    .WithDescription("Train one model on the whole training split; train/test loss and log p(x) curves (the overfitting view).")
                    .WithExample("full", "--limit", "2000", "--epochs", "10");
                c.AddCommand<PlanCommand>("plan").WithDescription("Create a run folder (run.json, plan.json) with the flags of `run`; trains nothing.");
                c.AddCommand<TaskCommand>("task").WithDescription("Run one task of a planned run (--index or $SLURM_ARRAY_TASK_ID); idempotent.");
                c.AddCommand<AggregateCommand>("aggregate").WithDescription("Scores from the finished tasks of a run, with coverage.");
                c.AddCommand<ReportCommand>("report").WithDescription("Write RUN/report/index.html: grids, distributions, uncertainty, membership inference, bias.");
                c.AddCommand<CompareCommand>("compare").WithDescription("Compare runs (mitigation experiments): quantiles, histograms, largest per-example changes.");
                c.AddCommand<SweepCommand>("sweep").WithDescription("Run one config over lever values (--vary KEY=V1,V2): each point a run and a full run; report of the memorization-utility frontier.");
                c.AddCommand<StatusCommand>("status").WithDescription("Tasks done / running / pending / failed / missing, with failures' last lines.");
                c.AddBranch("slurm", slurm =>
                {
                    slurm.SetDescription("Run a planned run folder as a Slurm job array.");
                    slurm.AddCommand<SlurmSubmitCommand>("submit").WithDescription("Submit an array over the unfinished tasks.");
                    slurm.AddCommand<SlurmSubmitCommand>("resubmit").WithDescription("Submit the failed or missing tasks again (same options as the last submission).");
                });
                c.AddCommand<BenchCommand>("bench").WithDescription("Measure sgemm peak, training and importance-sampling throughput on this machine.");
                c.AddCommand<ModelsCommand>("models").WithDescription("List model families.");
                c.AddCommand<DatasetsCommand>("datasets").WithDescription("List datasets.");
            });
            try
            {
                return app.Run(args, interruption.Token);
            }
            // After SIGINT/SIGTERM, whatever the command was doing ends as an interruption (a child such as npm got the signal too).
            catch (Exception) when (interruption.Requested)
            {
                return Interrupted(interruption.Signal);
            }
            catch (MemScoreException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.For(e.Kind);
            }
            catch (OperationCanceledException)
            {
                return Interrupted(null);
            }
            catch (CommandAppException e)
            {
                Console.Error.WriteLine($"error: {FlagErrors.Describe(e, args) ?? e.Message} (see memscore --help)");
                return ExitCodes.InvalidArguments;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message}; finished work is kept. " +
                                        "Set MEMSCORE_DEBUG=1 for the stack trace and please report it.");
                if (Environment.GetEnvironmentVariable("MEMSCORE_DEBUG") == "1") Console.Error.WriteLine(e);
                return ExitCodes.InternalError;
            }
        }
    }
}
