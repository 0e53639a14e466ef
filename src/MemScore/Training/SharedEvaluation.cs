using System.Runtime.ExceptionServices;
using MemScore.Core;
using MemScore.Data;
using MemScore.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Training;

/// <summary>
/// One model's log p(x) pass whose batches idle workers may compute too (<see cref="EvaluationSharing"/>). Each batch's
/// noise is drawn from the one seeded generator under a lock, in batch order, when the batch is taken; only the
/// scoring runs in parallel. Every batch is scored exactly as the single-threaded pass scores it (same rows, same
/// noise, the same intra-op thread count), so the values are bit-identical to <see cref="EpochTrainer.Evaluate"/>.
/// </summary>
internal sealed class SharedEvaluation
{
    readonly IImportanceSampledModel _model;
    readonly Tensor _images;
    readonly int[]? _rows;
    readonly int _batchSize;
    readonly Generator _noise;
    readonly string _label;
    readonly int _epoch;
    readonly Action<int, int>? _onBatch;
    readonly int _count;
    readonly object _gate = new();
    readonly double[] _logp;
    readonly double[] _ess;
    int _next, _inFlight, _done;
    (int Start, ExceptionDispatchInfo Error)? _failure;

    SharedEvaluation(IImportanceSampledModel model, Tensor images, int[]? rows, int batchSize, Generator noise, string label, int epoch,
        Action<int, int>? onBatch)
    {
        _model = model;
        _images = images;
        _rows = rows;
        _batchSize = batchSize;
        _noise = noise;
        _label = label;
        _epoch = epoch;
        _onBatch = onBatch;
        int all = (int)images.shape[0];
        _count = rows?.Length ?? all;
        _logp = new double[all];
        _ess = new double[all];
        if (rows is not null)
        {
            Array.Fill(_logp, double.NaN);
            Array.Fill(_ess, double.NaN);
        }
    }

    /// <summary>The pass of <see cref="EpochTrainer.Evaluate"/> for an importance-sampled model, open to the idle workers of <paramref name="sharing"/>.</summary>
    public static (double[] LogP, double[] Ess) Run(IImportanceSampledModel model, Tensor images, int batchSize, long noiseSeed, string label, int epoch,
        Action<int, int>? onBatch, EvaluationSharing sharing, CancellationToken cancellation, int[]? rows = null)
    {
        using var noise = new Generator((ulong)noiseSeed);
        var pass = new SharedEvaluation(model, images, rows, batchSize, noise, label, epoch, onBatch);
        sharing.Open(pass);
        try
        {
            while (pass.TryScoreNext(cancellation)) { }
        }
        finally
        {
            sharing.Close(pass);
            pass.WaitForHelpers();   // before the generator is disposed: a helper draws from it
        }
        pass._failure?.Error.Throw();
        cancellation.ThrowIfCancellationRequested();
        return (pass._logp, pass._ess);
    }

    public bool HasBatchesLeft
    {
        get { lock (_gate) return _next < _count && _failure is null; }
    }

    /// <summary>Takes the next batch, draws its noise and scores it; false when no batch is left (or one failed).</summary>
    public bool TryScoreNext(CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested) return false;
        using var scope = NewDisposeScope();
        int start, size;
        Tensor eps;
        lock (_gate)
        {
            if (_next >= _count || _failure is not null) return false;
            start = _next;
            size = Math.Min(_batchSize, _count - start);
            try
            {
                eps = _model.DrawEvaluationNoise(size, _noise);
            }
            catch (Exception e)
            {
                Fail(start, e);
                return false;
            }
            _next += size;
            _inFlight++;
        }
        try
        {
            Score(start, size, eps);
        }
        catch (Exception e)
        {
            lock (_gate) Fail(start, e);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
                _done += size;
                if (_failure is null) _onBatch?.Invoke(_done, _count);
                Monitor.PulseAll(_gate);
            }
        }
        return true;
    }

    void Score(int start, int size, Tensor eps)
    {
        var batch = ImageTransforms.AsIntensities(_rows is null
            ? _images.narrow(0, start, size)
            : _images.index_select(0, tensor(Array.ConvertAll(_rows[start..(start + size)], i => (long)i))));
        var (logp, essTensor) = _model.LogLikelihoodWithEss(batch, eps);
        double[] values = logp.data<double>().ToArray(), ess = essTensor.data<double>().ToArray();
        for (int k = 0; k < size; k++)
        {
            int row = _rows is null ? start + k : _rows[start + k];
            if (!double.IsFinite(values[k]))
                throw new NumericalFailureException($"log p(x) of example {row} is {values[k]} at {_label}, epoch {_epoch}");
            _logp[row] = values[k];
            _ess[row] = ess[k];
        }
    }

    /// <summary>Keeps the failure of the earliest batch, the one the single-threaded pass would have met first.</summary>
    void Fail(int start, Exception e)
    {
        if (_failure is null || start < _failure.Value.Start) _failure = (start, ExceptionDispatchInfo.Capture(e));
    }

    void WaitForHelpers()
    {
        lock (_gate)
            while (_inFlight > 0) Monitor.Wait(_gate);
    }
}
