using static TorchSharp.torch;

namespace MemScore.Analysis;

/// <summary>One k-means cell of the training data.</summary>
/// <param name="Z">Mann-Whitney z of generated (first) against test (second) distances to the cell's nearest training point; NaN if the cell lacks either.</param>
/// <param name="Weight">Fraction of all test points that fall in the cell, P_n(cell).</param>
/// <param name="Used">Whether the cell enters C_T (it has training and test points and at least the minimum of generated samples).</param>
internal sealed record DataCopyingCell(int Training, int Test, int Generated, double Z, double Weight, bool Used);

/// <param name="CT">Weighted mean of the used cells' z (weights P_n(cell)); negative = samples closer to the training data than unseen data is (copying). NaN if no cell is used.</param>
internal sealed record DataCopyingResult(double CT, DataCopyingCell[] Cells, int CellsDropped, int MinGeneratedPerCell, bool KMeansConverged);

/// <summary>
/// The C_T data-copying statistic of Meehan, Chaudhuri and Dasgupta (AISTATS 2020). The training
/// data is cut into k cells by k-means; test and generated points join the cell of their nearest
/// centroid. In each cell, a point's distance is that to its nearest training point of the cell,
/// and the Mann-Whitney z compares generated against test distances (z &lt; 0: generated points sit
/// closer to the training data). C_T = sum_c P_n(c) z_c / sum_c P_n(c) over the cells with at least
/// <c>minGeneratedPerCell</c> generated samples (the paper's Q_m(c) &gt; tau, written as a count; 20
/// keeps the normal approximation of U reasonable). The z here has no continuity correction and
/// corrects for ties.
/// </summary>
internal static class DataCopying
{
    public const int DefaultMinGeneratedPerCell = 20;

    public static DataCopyingResult Statistic(Tensor training, Tensor test, Tensor generated, int cells, long seed,
        int minGeneratedPerCell = DefaultMinGeneratedPerCell, int maxIterations = 300)
    {
        if (minGeneratedPerCell < 1) throw new ArgumentOutOfRangeException(nameof(minGeneratedPerCell), minGeneratedPerCell, "must be >= 1");
        if (test.shape[0] == 0 || generated.shape[0] == 0) throw new ArgumentException("need test and generated points");
        using var scope = NewDisposeScope();
        var train = Rows(training);
        using var kmeans = KMeans.Fit(train, cells, seed, maxIterations);
        var testRows = Rows(test);
        var generatedRows = Rows(generated);
        var testCells = NearestNeighbours.Search(testRows, kmeans.Centroids).Index;
        var generatedCells = NearestNeighbours.Search(generatedRows, kmeans.Centroids).Index;

        var result = new DataCopyingCell[cells];
        for (int c = 0; c < cells; c++)
        {
            using var cellScope = NewDisposeScope();
            var trainInCell = Select(train, kmeans.Assignments, c);
            var testInCell = Select(testRows, testCells, c);
            var generatedInCell = Select(generatedRows, generatedCells, c);
            int trainCount = (int)trainInCell.shape[0], testCount = (int)testInCell.shape[0], generatedCount = (int)generatedInCell.shape[0];
            bool comparable = trainCount > 0 && testCount > 0 && generatedCount > 0;   // a cell can end empty of training points
            double z = comparable
                ? MannWhitney.Test(NearestNeighbours.Search(generatedInCell, trainInCell).Distance,
                    NearestNeighbours.Search(testInCell, trainInCell).Distance).Z
                : double.NaN;
            result[c] = new DataCopyingCell(trainCount, testCount, generatedCount, z,
                (double)testCount / testCells.Length, comparable && generatedCount >= minGeneratedPerCell);
        }
        var used = result.Where(cell => cell.Used).ToArray();
        double ct = used.Length == 0 ? double.NaN : used.Sum(cell => cell.Weight * cell.Z) / used.Sum(cell => cell.Weight);
        return new DataCopyingResult(ct, result, cells - used.Length, minGeneratedPerCell, kmeans.Converged);
    }

    static Tensor Rows(Tensor points) => points.reshape(points.shape[0], -1);

    static Tensor Select(Tensor rows, int[] cellOf, int cell)
    {
        var members = Enumerable.Range(0, cellOf.Length).Where(i => cellOf[i] == cell).Select(i => (long)i).ToArray();
        using var index = tensor(members, ScalarType.Int64);
        return rows.index_select(0, index);
    }
}
