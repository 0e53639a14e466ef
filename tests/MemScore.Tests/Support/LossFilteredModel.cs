using MemScore.Core;
using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Tests.Support;

/// <summary>
/// A real model whose training losses a test may rewrite: <paramref name="filter"/>(step, loss) sees every
/// step (counted from 0) and returns the loss reported, e.g. NaN at a chosen step. Everything else is delegated.
/// </summary>
internal sealed class LossFilteredModel(IDensityModel inner, Func<int, double, double> filter) : IDensityModel, ICheckpointable
{
    int _steps;
    public ModelDescription Describe() => inner.Describe();
    public double TrainStep(Tensor x, Generator noise) => filter(_steps++, inner.TrainStep(x, noise));
    public Tensor LogLikelihood(Tensor x, Generator noise) => inner.LogLikelihood(x, noise);
    public IReadOnlyDictionary<string, NpyArray> SaveState() => ((ICheckpointable)inner).SaveState();
    public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) => ((ICheckpointable)inner).LoadState(state, source);
    public void Dispose() => inner.Dispose();
}
