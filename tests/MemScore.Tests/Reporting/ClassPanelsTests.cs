using MemScore.Reporting;

namespace MemScore.Tests.Reporting;

/// <summary>Per-class panels' numbers: common bins, counts per label, each label's most memorized rows.</summary>
public class ClassPanelsTests
{
    [Fact]
    public void Labels_share_the_bins_and_list_their_highest_m_first_without_non_finite_m()
    {
        int[] labels = [0, 1, 0, 1, 0, 1, 2];
        double[] m = [0, 10, 5, 2, double.NaN, 7, double.PositiveInfinity];
        int[] order = [1, 5, 2, 3, 0];   // by M, highest first (rows with M only)
        var panels = ClassPanels.Compute(labels, m, order)!;
        Assert.Equal([0, 1], panels.Classes.Select(c => c.Label));   // label 2 has no finite M
        Assert.Equal(ClassPanels.Bins + 1, panels.Edges.Length);
        Assert.Equal(0, panels.Edges[0]);
        Assert.Equal(10, panels.Edges[^1]);
        Assert.Equal([2, 0], panels.Classes[0].Top);
        Assert.Equal([1, 5, 3], panels.Classes[1].Top);
        Assert.Equal(2, panels.Classes[0].Count);
        Assert.Equal(1, panels.Classes[1].Counts[^1]);                // M = 10, the maximum, in the last bin
        Assert.Equal(1, panels.Classes[0].Counts[0]);                 // M = 0 in the first
    }

    [Fact]
    public void One_label_or_too_many_labels_give_no_panels()
    {
        Assert.Null(ClassPanels.Compute([3, 3, 3], [1, 2, 3], [2, 1, 0]));
        int many = ClassPanels.MaxClasses + 1;
        var labels = Enumerable.Range(0, many).ToArray();
        Assert.Null(ClassPanels.Compute(labels, labels.Select(l => (double)l).ToArray(), labels.Reverse().ToArray()));
    }

    [Fact]
    public void Planted_examples_head_the_lists_of_their_labels()
    {
        // 5 planted examples at +40 nats among 300 (noise N(0, 1) between models; seed 7): each is the top of its label.
        using var run = new SyntheticRun(examples: 300, planted: 5, gain: 40);
        var n = ReportNumbers.Compute(run.Context);
        var panels = n.Classes!;
        Assert.Equal(300, panels.Classes.Sum(c => c.Count));
        foreach (int row in run.Planted)
        {
            var panel = panels.Classes.Single(c => c.Label == n.Scores.Labels[row]);
            int plantedOfLabel = run.Planted.Count(p => n.Scores.Labels[p] == panel.Label);
            Assert.Contains(row, panel.Top.Take(plantedOfLabel));
        }
        Assert.All(panels.Classes, c => Assert.Equal(Math.Min(ClassPanels.TopPerClass, c.Count), c.Top.Length));
    }
}
