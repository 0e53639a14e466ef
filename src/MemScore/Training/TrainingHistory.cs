namespace MemScore.Training;

/// <summary>Per member: the training loss of every completed epoch, and log p(x) and ESS of every evaluation so far.</summary>
public sealed class TrainingHistory
{
    readonly List<double>[] _trainLoss;
    readonly List<double[]>[] _logP;
    readonly List<double[]>[] _ess;

    public TrainingHistory(int members) : this(members, _ => [], _ => [], _ => []) { }

    /// <param name="ess">Per member; empty when the model reports no ESS.</param>
    public TrainingHistory(int members, Func<int, double[]> trainLoss, Func<int, double[][]> logP, Func<int, double[][]> ess)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        _trainLoss = Enumerable.Range(0, members).Select(m => new List<double>(trainLoss(m))).ToArray();
        _logP = Enumerable.Range(0, members).Select(m => new List<double[]>(logP(m))).ToArray();
        _ess = Enumerable.Range(0, members).Select(m => new List<double[]>(ess(m))).ToArray();
    }

    public int Members => _trainLoss.Length;
    public int CompletedEpochs => _trainLoss[0].Count;

    public double[] TrainLoss(int member) => [.. _trainLoss[member]];
    public double[][] LogP(int member) => [.. _logP[member]];

    /// <summary>Member's ESS rows, or null unless every evaluation reported one.</summary>
    public double[][]? Ess(int member) => _ess[member].Count > 0 && _ess[member].Count == _logP[member].Count ? [.. _ess[member]] : null;

    /// <summary>
    /// Does a saved history fit an unfinished run of <paramref name="epochs"/> epochs evaluated at
    /// <paramref name="evaluationEpochs"/>, with the same progress for every member?
    /// </summary>
    public bool ResumesWithin(int epochs, IReadOnlyCollection<int> evaluationEpochs)
    {
        int evaluations = evaluationEpochs.Count(e => e <= CompletedEpochs);
        return CompletedEpochs < epochs && Enumerable.Range(0, Members).All(m =>
            _trainLoss[m].Count == CompletedEpochs && _logP[m].Count == evaluations && (_ess[m].Count == 0 || _ess[m].Count == evaluations));
    }

    internal void AddEpoch(double[] losses)
    {
        for (int m = 0; m < Members; m++) _trainLoss[m].Add(losses[m]);
    }

    internal void AddEvaluation(MemberEvaluation[] evaluations)
    {
        for (int m = 0; m < Members; m++)
        {
            _logP[m].Add(evaluations[m].LogP);
            if (evaluations[m].Ess is { } ess) _ess[m].Add(ess);
        }
    }
}
