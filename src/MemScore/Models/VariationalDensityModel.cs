using MemScore.Likelihood;
using MemScore.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// Trains any <see cref="IVariationalNetwork"/> by maximising the ELBO with Adam and scores it with
/// the importance-sampling estimator (METHOD.md section 3).
/// </summary>
public sealed class VariationalDensityModel : IDensityModel
{
    readonly nn.Module _module;
    readonly IVariationalNetwork _network;
    readonly ModelDescription _description;
    readonly AdamOptimizer _optimizer;
    readonly int _importanceSamples;

    public VariationalDensityModel(nn.Module module, IVariationalNetwork network, ModelDescription description,
        double learningRate, int importanceSamples)
    {
        _module = module;
        _network = network;
        _description = description;
        _importanceSamples = importanceSamples;
        _optimizer = new AdamOptimizer(module.named_parameters(), learningRate);
    }

    public nn.Module Module => _module;
    public AdamOptimizer Optimizer => _optimizer;
    public IVariationalNetwork Network => _network;

    public ModelDescription Describe() => _description;

    /// <summary>Negative ELBO summed over the batch, one reparameterised sample per example (Kingma &amp; Welling 2014).</summary>
    public Tensor NegativeElbo(Tensor batch, Generator noise)
    {
        using var eps = randn([batch.shape[0], _network.LatentDim], generator: noise);
        return NegativeElbo(batch, eps);
    }

    /// <summary>The same with given standard-normal noise <paramref name="eps"/> [B, latent] (used by parity tests).</summary>
    public Tensor NegativeElbo(Tensor batch, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var (mu, logvar) = _network.Encode(batch);
        var z = eps.mul(logvar.mul(0.5).exp()).add_(mu);
        var reconstruction = _network.LogLikelihoodGivenLatent(z.unsqueeze(0), batch).squeeze(0);
        // KL(q(z|x) || N(0, I)) in closed form (Kingma & Welling 2014, appendix B).
        var kl = logvar.add(1).sub_(mu.square()).sub_(logvar.exp()).sum(-1).mul_(-0.5);
        return kl.sub(reconstruction).sum().MoveToOuterDisposeScope();
    }

    public double TrainStep(Tensor batch, Generator noise)
    {
        _module.train();
        using var scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        var loss = NegativeElbo(batch, noise);
        double value = loss.item<float>();
        if (!double.IsFinite(value)) return double.NaN;
        loss.backward();
        _optimizer.StepOnce();
        return value / batch.shape[0];
    }

    public Tensor LogLikelihood(Tensor batch, Generator noise)
    {
        _module.eval();
        using var _ = no_grad();
        return ImportanceSampler.LogMarginal(_network, batch, _importanceSamples, noise);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _module.Dispose();
    }
}
