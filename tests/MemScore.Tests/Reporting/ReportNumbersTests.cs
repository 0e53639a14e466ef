using MemScore.Tests.Support;
using MemScore.Reporting;

namespace MemScore.Tests.Reporting;

/// <summary>The report's statistics, without HTML: on synthetic results with planted memorization, and on small tables.</summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
[Trait("Tier", "EndToEnd")]
public class ReportNumbersTests
{
    [Fact]
    public void Planted_examples_lead_the_order_and_every_summary_counts_every_example()
    {
        // 5 of 300 examples get +40 nats under their in-models; the noise between models is N(0, 1), so M of a
        // planted example is ~40 and of the others ~N(bias, 1): no overlap (seed 7, deterministic).
        using var run = new SyntheticRun(examples: 300, planted: 5, gain: 40);
        var n = ReportNumbers.Compute(run.Context);
        Assert.Equal(300, n.Count);
        Assert.Equal(run.Planted.Order(), n.Order.Take(5).Order());
        Assert.Equal(300, n.PerClass.Sum(c => c.Count));
        Assert.Equal(300, n.LikelihoodBins.Sum(b => b.Regular + b.High));
        Assert.Equal(n.M.Count(m => m > n.Q95), n.LikelihoodBins.Sum(b => b.High));
        Assert.Equal(300, n.MHistogram!.Counts.Sum());
        // The planted gain grows linearly: half of it at the first of the two evaluations (0.999 quantile ~ 20 then ~ 40, +-3 for the noise).
        Assert.InRange(n.QuantilesByEpoch[2][0], 17, 23);
        Assert.InRange(n.QuantilesByEpoch[2][1], 37, 43);
        Assert.Equal(3, n.QuantilesByRepeats.Length);
        Assert.NotNull(n.Inference);
        Assert.NotNull(n.BalancedM);
        Assert.InRange(n.Ess!.Median, 0.5, 0.5);   // synthetic ESS is exactly S / 2
        Assert.Equal(15, n.Results.Count);
    }

    [Fact]
    public void Numbers_reuse_the_results_the_readiness_check_read()
    {
        // The task files are read once (issue 13): with the readiness passed in, deleting them changes nothing.
        using var run = new SyntheticRun(examples: 120, folds: 2, repeats: 2, planted: 3, gain: 40);
        var expected = ReportNumbers.Compute(run.Context);
        var readiness = ReportReadiness.Check(run.Context, fullRunDirectory: null);
        Assert.Equal(4, readiness.Results.Count);
        System.IO.Directory.Delete(run.Context.Folder.TasksDirectory, recursive: true);
        var reused = ReportNumbers.Compute(run.Context, readiness: readiness);
        Assert.Equal(expected.M, reused.M);   // exact: the same results, the same arithmetic
        Assert.Equal(expected.Order, reused.Order);
    }

    [Fact]
    public void Likelihood_bins_split_regular_and_highly_memorized_examples()
    {
        double[] u = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9.999, 10];
        double[] m = [0, 0, 0, 0, 0, 0, 0, 0, 0, 5, double.NaN];
        var bins = ReportNumbers.BinByLikelihood(u, m, q95: 1);
        Assert.Equal(10, bins.Length);
        Assert.Equal(10, bins.Sum(b => b.Regular + b.High));   // the NaN M is left out
        Assert.Equal(1, bins[^1].High);
        Assert.Equal(1.0, bins[^1].ShareHigh);                  // [9, 10]: u = 9.999 (M = 5); u = 10 has no M
        Assert.True(double.IsNaN(new LikelihoodBin(0, 1, 0, 0).ShareHigh));
    }

    [Fact]
    public void Class_summaries_are_per_label_over_finite_m()
    {
        var classes = ReportNumbers.SummarizeClasses([1, 0, 1, 0, 1], [1, 2, 3, double.NaN, 5], q95: 2.5);
        Assert.Equal([0, 1], classes.Select(c => c.Label));
        Assert.Equal(1, classes[0].Count);
        Assert.Equal(3, classes[1].Count);
        Assert.Equal(3, classes[1].Median);
        Assert.Equal(2 / 3.0, classes[1].ShareAboveQ95, 12);
    }
}
