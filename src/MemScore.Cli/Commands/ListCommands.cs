using MemScore.Models;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

/// <summary>`memscore models`: each family, then its model-options (set with --model-option KEY=VALUE) with default, accepted values and meaning.</summary>
public sealed class ModelsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellation)
    {
        foreach (var family in ModelRegistry.CreateDefault().All)
        {
            Console.WriteLine($"{family.Name,-22} {family.Description}");
            foreach (var option in family.Options.All)
                Console.WriteLine($"  {option.Key,-20} {(option.Default is null ? "required" : "default " + option.Default)}; {option.Expected}: {option.Description}");
        }
        return ExitCodes.Success;
    }
}

public sealed class DatasetsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellation)
    {
        foreach (var provider in CliEnvironment.Datasets().All) Console.WriteLine($"{provider.Name,-15} {provider.Description}");
        return ExitCodes.Success;
    }
}
