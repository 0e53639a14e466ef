using MemScore.Data;
using MemScore.Models;
using Spectre.Console.Cli;

namespace MemScore.Cli.Commands;

public sealed class ModelsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellation)
    {
        foreach (var family in ModelRegistry.CreateDefault().All)
        {
            Console.WriteLine($"{family.Name,-22} {family.Description}");
            foreach (var option in family.Options.Options)
                Console.WriteLine($"  --model-option {option.Key}=...  {option.Description}; {option.Expected}, {(option.Default is null ? "required" : "default " + option.Default)}");
        }
        return ExitCodes.Success;
    }
}

public sealed class DatasetsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellation)
    {
        foreach (var provider in DatasetRegistry.CreateDefault().All) Console.WriteLine($"{provider.Name,-15} {provider.Description}");
        return ExitCodes.Success;
    }
}
