using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>
/// A user's TorchScript module as a density model. MemScore owns everything around it as for the
/// built-in families: data, seeds, Adam on the module's parameters (the summed per-example loss of each
/// batch, like the paper's summed ELBO), checkpoints of named parameters and buffers, and evaluation.
/// Every call into the module holds <see cref="GlobalGeneratorLock"/> with a seed drawn from the task's noise.
/// </summary>
internal class TorchScriptModel : IDensityModel, ICheckpointable, IEvaluationLoss
{
    readonly jit.ScriptModule _module;
    readonly TorchScriptContract _contract;
    readonly AdamOptimizer _optimizer;
    readonly ModelDescription _description;
    readonly int _importanceSamples;

    internal TorchScriptModel(jit.ScriptModule module, TorchScriptContract contract, ModelDescription description, double learningRate, int importanceSamples, double weightDecay = 0)
    {
        _module = module;
        _contract = contract;
        _description = description;
        _importanceSamples = importanceSamples;
        _optimizer = new AdamOptimizer(module.named_parameters(), learningRate, weightDecay: weightDecay);
    }

    public nn.Module Module => _module;
    protected TorchScriptContract Contract => _contract;

    public ModelDescription Describe() => _description;

    /// <summary>Only the forward call holds the lock: backward and Adam draw no random numbers, so workers overlap there.</summary>
    public double TrainStep(Tensor batch, Generator noise)
    {
        _module.train();
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        var perExample = GlobalGeneratorLock.Run(noise, () => _contract.Call(TorchScriptContract.Loss, [batch.shape[0]], batch));
        var loss = perExample.sum();
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return double.NaN;
        loss.backward();
        _optimizer.StepOnce();
        return value / batch.shape[0];
    }

    public Tensor LogLikelihood(Tensor batch, Generator noise) =>
        Evaluate(TorchScriptContract.LogPx, batch, noise, _importanceSamples);

    public Tensor PerExampleLoss(Tensor batch, Generator noise) => Evaluate(TorchScriptContract.Loss, batch, noise);

    Tensor Evaluate(string method, Tensor batch, Generator noise, int? samples = null) => GlobalGeneratorLock.Run(noise, () =>
    {
        _module.eval();
        using var _ = no_grad();
        using var values = _contract.Call(method, [batch.shape[0]], batch, samples);
        return values.to_type(ScalarType.Float64);
    });

    public IReadOnlyDictionary<string, NpyArray> SaveState() => ModuleCheckpoint.Save(_module, _optimizer);

    public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) => ModuleCheckpoint.Load(_module, _optimizer, state, source);

    public void Dispose()
    {
        _optimizer.Dispose();
        _module.Dispose();
        GC.SuppressFinalize(this);
    }
}
