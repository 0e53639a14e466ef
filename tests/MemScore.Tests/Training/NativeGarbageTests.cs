using MemScore.Configuration;
using MemScore.Tests.Support;
using MemScore.Memorization;
using MemScore.Models;
using MemScore.Training;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>
/// Training and scoring leave nothing native for the finalizer: every tensor they make is disposed
/// (counted here), and they make no Scalars outside a ScalarScope (ScalarLifetimeRuleTests), so the
/// trainers' periodic collections free only managed wrappers (issue 18 item 29).
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class NativeGarbageTests
{
    public sealed record Family(string Name, Func<ModelContext, IDensityModel> Create, long[] Shape, InputKind Input)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Family> Families => new(
        new Family(BernoulliMlpVae.FamilyName, BernoulliMlpVae.Create, [1, 8, 8], InputKind.Binary),
        new Family(BernoulliDcVae.FamilyName, c => BernoulliDcVae.Create(c, new DcVaeOptions(4, FeatureMaps: 4)), [1, 32, 32], InputKind.Binary),
        new Family(GaussianDcVae.FamilyName, c => GaussianDcVae.Create(c, new DcVaeOptions(4, FeatureMaps: 4)), [1, 32, 32], InputKind.Dequantized),
        new Family(LogisticMixtureDcVae.FamilyName, c => LogisticMixtureDcVae.Create(c, new DcVaeOptions(4, FeatureMaps: 4), components: 2), [1, 32, 32], InputKind.Discrete8Bit),
        new Family(RealNvpFlow.FamilyName, c => RealNvpFlow.Create(c, new RealNvpOptions(Scales: 2, HiddenChannels: 4)), [1, 8, 8], InputKind.Dequantized));

    [Theory]
    [MemberData(nameof(Families))]
    public void An_epoch_and_an_evaluation_leave_no_tensor_alive(Family family)
    {
        using var g = new Generator(3);
        using var model = family.Create(new ModelContext(family.Shape, 4, 1e-3, 4, 1));
        using var uniform = rand([24, .. family.Shape], generator: g);
        using var images = family.Input == InputKind.Binary ? uniform.lt(uniform.mean()).to_type(ScalarType.Float32) : uniform.mul(uniform);
        using var data = ExperimentData.FromScored(images.alias(), family.Input);
        var batches = new TrainingBatches(data, redraw: false, flip: false);
        int[] rows = Enumerable.Range(0, 24).ToArray();
        void EpochAndEvaluation(int epoch)
        {
            EpochTrainer.Run(model, batches, rows, 8, new MemScore.Core.EpochSeeds(epoch, epoch, epoch), "test", epoch, default);
            EpochTrainer.Evaluate(model, data.Scored, 8, epoch, "test", epoch, null, default);
        }
        EpochAndEvaluation(1);   // first use: caches (e.g. RealNVP's checkerboard masks) are made
        long before = Tensor.TotalCount;
        EpochAndEvaluation(2);
        Assert.Equal(before, Tensor.TotalCount);
    }
}
