using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// An Adam-like optimizer whose state a checkpoint can hold: first and second moments named like the
/// parameters, and step counts (one for a single model, one per member for an ensemble).
/// </summary>
internal interface IOptimizerCheckpoint
{
    IEnumerable<(string Name, Tensor First, Tensor Second)> State();
    long[] StepCounts();
    void Restore(long[] steps, IReadOnlyDictionary<string, (float[] First, float[] Second)> moments);
}
