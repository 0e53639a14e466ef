using MemScore.Analysis;

namespace MemScore.Tests.Analysis;

public class DuplicateComparisonTests
{
    [Fact]
    public void Splits_M_into_grouped_and_unique_examples_leaving_out_missing_values()
    {
        // Rows 0-1 and 2-4 are groups; 5..7 unique, row 7 without M.
        var set = new NearDuplicateSet(8, 0.1, [0, 2, 5, 6, 7], [new(1, 0, 0.05), new(3, 2, 0.0), new(4, 2, 0.08)]);
        double[] m = [1, 2, 3, 4, 5, 10, 12, double.NaN];

        var c = DuplicateComparison.Of(set, m);

        Assert.Equal([[2, 3, 4], [0, 1]], set.Groups());
        Assert.Equal((5, 2), (c.DuplicatedCount, c.UniqueCount));
        Assert.Equal((3.0, 11.0), (c.MedianDuplicated, c.MedianUnique));
        Assert.Equal(0, c.Test!.U);                                   // every grouped M is below every unique M
        Assert.Throws<ArgumentException>(() => DuplicateComparison.Of(set, [1, 2]));
    }

    [Fact]
    public void Without_groups_there_is_no_test()
    {
        var c = DuplicateComparison.Of(new NearDuplicateSet(3, 0.1, [0, 1, 2], []), [1, 2, 3]);
        Assert.Null(c.Test);
        Assert.Equal(3, c.UniqueCount);
    }
}
