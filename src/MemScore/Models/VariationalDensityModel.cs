using MemScore.Core;
using MemScore.Likelihood;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Trains any <see cref="IVariationalNetwork"/> by maximising the ELBO with Adam and scores it with
/// the importance-sampling estimator (METHOD.md section 3).
/// </summary>
internal sealed class VariationalDensityModel : IDensityModel, IPrivatelyTrainable, ICheckpointable, IImportanceSampledModel, IEvaluationLoss, ISampleableModel, IDecoderMeanModel
{
    /// <summary>Images decoded at once by <see cref="Sample"/> (bounds memory for large counts).</summary>
    const int SampleChunk = 256;

    readonly nn.Module _module;
    readonly IVariationalNetwork _network;
    readonly ModelDescription _description;
    readonly AdamOptimizer _optimizer;
    readonly int _importanceSamples;
    readonly Device _device;

    /// <param name="device">Where parameters and activations live (moved there before the optimizer state is made); data and results cross on the CPU.</param>
    public VariationalDensityModel(nn.Module module, IVariationalNetwork network, ModelDescription description,
        double learningRate, int importanceSamples, Device? device = null, double weightDecay = 0)
    {
        _device = device ?? CPU;
        if (_device.type != DeviceType.CPU) module.to(_device);
        _module = module;
        _network = network;
        _description = description;
        _importanceSamples = importanceSamples;
        _optimizer = new AdamOptimizer(module.named_parameters(), learningRate, weightDecay: weightDecay);
    }

    public nn.Module Module => _module;
    public AdamOptimizer Optimizer => _optimizer;
    public IVariationalNetwork Network => _network;

    public ModelDescription Describe() => _description;

    /// <summary>Negative ELBO summed over the batch, one reparameterised sample per example (Kingma &amp; Welling 2014).</summary>
    public Tensor NegativeElbo(Tensor batch, Generator noise)
    {
        using var eps = ComputeDevice.Normal([batch.shape[0], _network.LatentDim], noise, batch.device);
        return NegativeElbo(batch, eps);
    }

    /// <summary>The same with given standard-normal noise <paramref name="eps"/> [B, latent] (used by parity tests).</summary>
    public Tensor NegativeElbo(Tensor batch, Tensor eps)
    {
        using var perExample = PerExampleNegativeElbo(batch, eps);
        return perExample.sum();
    }

    /// <summary>Negative ELBO of each example [B] with given noise.</summary>
    Tensor PerExampleNegativeElbo(Tensor batch, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var (mu, logvar) = _network.Encode(batch);
        var z = VariationalTerms.Reparameterize(eps, mu, logvar);
        var reconstruction = _network.LogLikelihoodGivenLatent(z.unsqueeze(0), batch).squeeze(0);
        return VariationalTerms.NegativeElbo(reconstruction, mu, logvar).MoveToOuterDisposeScope();
    }

    public double TrainStep(Tensor batch, Generator noise)
    {
        _module.train();
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        using var masks = (_network as IDropoutNetwork)?.Noise.DrawFrom(noise);
        var loss = NegativeElbo(ComputeDevice.On(batch, _device), noise);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return double.NaN;
        loss.backward();
        _optimizer.StepOnce();
        return value / batch.shape[0];
    }

    public double PrivateTrainStep(Tensor batch, Generator noise, Generator privacyNoise, DpSgdStep step)
    {
        _module.train();
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        double value = 0;
        long size = batch.shape[0];
        if (size > 0)
        {
            using var masks = (_network as IDropoutNetwork)?.Noise.DrawFrom(noise);
            using var norms = new PerExampleGradientNorms(_module);
            using var eps = ComputeDevice.Normal([size, _network.LatentDim], noise, _device);
            var perExample = PerExampleNegativeElbo(ComputeDevice.On(batch, _device), eps);
            var total = perExample.sum();
            value = total.item<float>();
            if (!double.IsFinite(value)) return double.NaN;
            var weights = ClipWeights(norms.Norms(total), step.Clip).to_type(perExample.dtype);
            perExample.mul(weights).sum().backward();
        }
        PrivacyNoise.AddTo(_module.parameters(), privacyNoise, step.NoiseStd);
        _optimizer.StepOnce();
        return size == 0 ? 0 : value / size;
    }

    /// <summary>min(1, C / ||grad_i||): the factor that clips example i's gradient to norm C (Abadi et al. 2016, Algorithm 1).</summary>
    static Tensor ClipWeights(Tensor norms, double clip)
    {
        using var k = new ScalarScope();
        using var scaled = norms.clamp_min(k[1e-12]).reciprocal_().mul_(k[clip]);
        return scaled.clamp_max(k.One);
    }

    public Tensor LogLikelihood(Tensor batch, Generator noise)
    {
        _module.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logp = ImportanceSampler.LogMarginal(_network, ComputeDevice.On(batch, _device), _importanceSamples, noise);
        return ComputeDevice.ToHost(logp).MoveToOuterDisposeScope();
    }

    public (Tensor LogP, Tensor Ess) LogLikelihoodWithEss(Tensor batch, Generator noise)
    {
        _module.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (logp, ess) = ImportanceSampler.LogMarginal(_network, ComputeDevice.On(batch, _device), _importanceSamples, noise, withEss: true);
        return (ComputeDevice.ToHost(logp).MoveToOuterDisposeScope(), ComputeDevice.ToHost(ess).MoveToOuterDisposeScope());
    }

    public Tensor DrawEvaluationNoise(long batchSize, Generator noise) => ImportanceSampler.DrawNoise(_network, batchSize, _importanceSamples, noise, _device);

    public (Tensor LogP, Tensor Ess) LogLikelihoodWithEss(Tensor batch, Tensor noise)
    {
        _module.eval();   // sets the flag it already has when another thread scores at the same time: no change
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (logp, ess) = ImportanceSampler.LogMarginalWithEss(_network, ComputeDevice.On(batch, _device), noise);
        return (ComputeDevice.ToHost(logp).MoveToOuterDisposeScope(), ComputeDevice.ToHost(ess).MoveToOuterDisposeScope());
    }

    /// <summary>Negative ELBO of each example (one latent draw), eval mode: the loss curves of `memscore full`.</summary>
    public Tensor PerExampleLoss(Tensor batch, Generator noise)
    {
        _module.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var eps = ComputeDevice.Normal([batch.shape[0], _network.LatentDim], noise, _device);
        var loss = PerExampleNegativeElbo(ComputeDevice.On(batch, _device), eps);
        return ComputeDevice.ToHost(loss.to_type(ScalarType.Float64)).MoveToOuterDisposeScope();
    }

    /// <summary>z ~ N(0, I) from <paramref name="noise"/>, decoded in eval mode (batch-norm running statistics).</summary>
    public Tensor Sample(int count, Generator noise, bool stochastic)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (_network is not IDecodingNetwork decoding)
            throw new NotSupportedException($"{_description.Name} cannot decode images: its network does not implement {nameof(IDecodingNetwork)}");
        _module.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (int start = 0; start < count; start += SampleChunk)
        {
            var z = ComputeDevice.Normal([Math.Min(SampleChunk, count - start), _network.LatentDim], noise, _device);
            parts.Add(decoding.DecodeImages(z, noise, stochastic));
        }
        return ComputeDevice.ToHost(cat(parts, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>The decoder mean of each latent draw: <see cref="Sample"/> with stochastic = false.</summary>
    public Tensor DecoderMeans(int count, Generator noise) => Sample(count, noise, stochastic: false);

    public IReadOnlyDictionary<string, NpyArray> SaveState() => ModuleCheckpoint.Save(_module, _optimizer);

    /// <summary>Everything is validated before anything is written (weights, batch-norm buffers, Adam moments and step).</summary>
    public void LoadState(IReadOnlyDictionary<string, NpyArray> state, string source) => ModuleCheckpoint.Load(_module, _optimizer, state, source);

    public void Dispose()
    {
        _optimizer.Dispose();
        _module.Dispose();
    }
}
