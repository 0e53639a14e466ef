using MemScore.Models;

namespace MemScore.Configuration;

/// <summary>What the model registry does to a whole config (kept here: Models sits below Configuration).</summary>
internal static class ModelRegistryExtensions
{
    /// <summary>
    /// <paramref name="config"/> with its model options as its family records them (<see cref="ModelFamily.Resolve"/>);
    /// unchanged for an unknown model (the validator names it).
    /// </summary>
    public static ExperimentConfig Resolve(this ModelRegistry registry, ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(config);
        return registry.Contains(config.Model) ? config with { ModelOptions = registry.Get(config.Model).Resolve(config.ModelOptions) } : config;
    }
}
