using System.ComponentModel;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>--cache-dir, declared once: the base of every verb that reads a dataset.</summary>
public class CacheDirSettings : CommandSettings
{
    [CommandOption("--cache-dir <DIR>")]
    [Description("Data cache (on a verb that opens an existing run folder, default: the one recorded in run.json; else $MEMSCORE_CACHE, else ~/.cache/memscore)")]
    public string? CacheDir { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (CacheDir is not null) Storage.OutputFolder.RequirePath(CacheDir, "cache-dir");
        return base.Validate();
    }
}
