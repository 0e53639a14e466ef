namespace MemScore.Training;

/// <summary>Per member: the training loss of every completed epoch, and log p(x) and ESS of every evaluation so far.</summary>
internal sealed class TrainingHistory
{
    readonly List<double>[] _trainLoss;
    readonly List<double[]>[] _logP;
    readonly List<double[]>[] _ess;

    public TrainingHistory(int members) : this(Enumerable.Repeat(Array.Empty<double>(), members).ToArray(),
        Enumerable.Repeat(Array.Empty<double[]>(), members).ToArray(), Enumerable.Repeat(Array.Empty<double[]>(), members).ToArray()) { }

    /// <summary>A saved history: [member][epoch] losses, [member][evaluation][example] log p(x) and ESS (empty when the model reports none).</summary>
    public TrainingHistory(double[][] trainLoss, double[][][] logP, double[][][] ess)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainLoss.Length, 1, nameof(trainLoss));
        if (logP.Length != trainLoss.Length || ess.Length != trainLoss.Length)
            throw new ArgumentException($"{trainLoss.Length}, {logP.Length} and {ess.Length} members must agree");
        _trainLoss = trainLoss.Select(l => new List<double>(l)).ToArray();
        _logP = logP.Select(l => new List<double[]>(l)).ToArray();
        _ess = ess.Select(l => new List<double[]>(l)).ToArray();
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
