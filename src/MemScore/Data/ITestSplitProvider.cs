namespace MemScore.Data;

/// <summary>A dataset with a separate test split (MNIST t10k, CIFAR-10 test_batch, CelebA partition 2).</summary>
public interface ITestSplitProvider
{
    ImageDataset LoadTest(DatasetRequest request);
}
