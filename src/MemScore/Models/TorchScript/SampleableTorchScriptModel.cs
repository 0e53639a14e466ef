using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>A module that defines sample(n: int) -> Tensor[n, C, H, W] in [0, 1]: usable by the nearest-neighbour test and C_T.</summary>
internal sealed class SampleableTorchScriptModel : TorchScriptModel, ISampleableModel
{
    readonly long[] _imageShape;

    internal SampleableTorchScriptModel(jit.ScriptModule module, TorchScriptContract contract, ModelDescription description,
        double learningRate, int importanceSamples, long[] imageShape, double weightDecay = 0)
        : base(module, contract, description, learningRate, importanceSamples, weightDecay) => _imageShape = [.. imageShape];

    /// <summary>What sample(n) returns, in eval mode; <paramref name="stochastic"/> is the module's choice (it returns one kind of image).</summary>
    public Tensor Sample(int count, Generator noise, bool stochastic)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return GlobalGeneratorLock.Run(noise, () =>
        {
            Module.eval();
            using var _ = no_grad();
            using var images = Contract.Call(TorchScriptContract.SampleMethod, [count, .. _imageShape], null, count);
            return images.to_type(ScalarType.Float32);
        });
    }
}
