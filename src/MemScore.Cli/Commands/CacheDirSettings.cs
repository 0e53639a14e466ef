using System.ComponentModel;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>--cache-dir: the base of the verbs that read a dataset from its flags (run, plan, full, task, sweep).</summary>
public class CacheDirSettings : CommandSettings
{
    public const string Help = "Data cache (on a verb that opens an existing run folder, default: the one recorded in run.json; else $MEMSCORE_CACHE, else ~/.cache/memscore)";

    [CommandOption("--cache-dir <DIR>")]
    [Description(Help)]
    public string? CacheDir { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        Check(CacheDir);
        return base.Validate();
    }

    public static void Check(string? cacheDir)
    {
        if (cacheDir is not null) Storage.OutputFolder.RequirePath(cacheDir, "cache-dir");
    }
}
