using MemScore.Analysis;
using MemScore.Reporting.Figures;
using static TorchSharp.torch;

namespace MemScore.Reporting.Explorer;

/// <summary>
/// The explorer's neighbour lists for a report with a full run, computed once in the report build:
/// per run row (row-major, <see cref="K"/> per row, nearest first) its nearest training images (other
/// rows of this run in the full model's training set; -1 where the row is not in it) and the full
/// model's nearest generated images, with their Euclidean distances on 2x down-sampled images (the
/// distances of the nearest-neighbour test).
/// </summary>
/// <param name="Generated">What the generated images are ("decoder means", "model samples", "stochastic samples").</param>
/// <param name="GeneratedImages">The generated images as 8-bit pixels, for the explorer's sheets.</param>
internal sealed record ExplorerNeighbours(int K, int[] TrainingRow, float[] TrainingDistance, int[] Sample, float[] SampleDistance,
    string Generated, ExamplePixels[] GeneratedImages)
{
    public const int DefaultK = 5;

    /// <param name="runRows">Count of rows in the run.</param>
    /// <param name="rowOfTraining">The run row of each image in <paramref name="training"/>.</param>
    /// <param name="training">The full model's training images that this run scores, [t, C, H, W], in the form the test compares.</param>
    /// <param name="generated">The full model's generated images, [g, C, H, W].</param>
    public static ExplorerNeighbours Compute(int runRows, int[] rowOfTraining, Tensor training, Tensor generated, string generatedName, int k = DefaultK)
    {
        ArgumentNullException.ThrowIfNull(rowOfTraining);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(generated);
        if (rowOfTraining.Length != training.shape[0])
            throw new ArgumentException($"{rowOfTraining.Length} run rows for {training.shape[0]} training images", nameof(rowOfTraining));
        NeighbourLists toTraining, toGenerated;
        using (NewDisposeScope())
        {
            var trainingDown = NearestNeighbours.Downsample2x(training);
            toTraining = NearestNeighbourLists.Nearest(trainingDown, trainingDown, k, excludeSelf: true);
            toGenerated = NearestNeighbourLists.Nearest(trainingDown, NearestNeighbours.Downsample2x(generated), k);
        }
        var trainingRow = Enumerable.Repeat(-1, runRows * k).ToArray();
        var sample = Enumerable.Repeat(-1, runRows * k).ToArray();
        var trainingDistance = Enumerable.Repeat(float.NaN, runRows * k).ToArray();
        var sampleDistance = Enumerable.Repeat(float.NaN, runRows * k).ToArray();
        for (int t = 0; t < rowOfTraining.Length; t++)
            for (int j = 0; j < k; j++)
            {
                int at = rowOfTraining[t] * k + j, from = t * k + j;
                trainingRow[at] = toTraining.Index[from] < 0 ? -1 : rowOfTraining[toTraining.Index[from]];
                trainingDistance[at] = (float)toTraining.Distance[from];
                sample[at] = toGenerated.Index[from];
                sampleDistance[at] = (float)toGenerated.Distance[from];
            }
        return new ExplorerNeighbours(k, trainingRow, trainingDistance, sample, sampleDistance, generatedName, ImageTiles.Pixels(generated));
    }
}
