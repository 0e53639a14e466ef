using MemScore.Models;
using static TorchSharp.torch;

namespace MemScore.Tests.Support;

/// <summary>A model with known memorization: log p(x) = -30 for a binary image it trained on, -50 otherwise
/// (every trained example memorized by exactly 20 nats).</summary>
internal sealed class MemorizingModel : IDensityModel
{
    readonly HashSet<string> _seen = [];

    static string Key(Tensor row) => string.Join("", row.data<float>().Select(v => v > 0.5f ? '1' : '0'));

    public ModelDescription Describe() => new("memorizer", new Dictionary<string, string>());

    public double TrainStep(Tensor batch, Generator noise)
    {
        using var flat = batch.reshape(batch.shape[0], -1);
        for (long i = 0; i < flat.shape[0]; i++) { using var row = flat[i]; _seen.Add(Key(row)); }
        return 0;
    }

    public Tensor LogLikelihood(Tensor batch, Generator noise)
    {
        using var flat = batch.reshape(batch.shape[0], -1);
        var values = new double[flat.shape[0]];
        for (long i = 0; i < flat.shape[0]; i++) { using var row = flat[i]; values[i] = _seen.Contains(Key(row)) ? -30 : -50; }
        return tensor(values);
    }

    public void Dispose() { }
}
