using MemScore.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>
/// The "torchscript" family: a model written in PyTorch and saved with torch.jit.script(model).save(path).
/// Loading checks the file, sets the initial weights (the module's reset_parameters() with libtorch's
/// generator seeded per task, else <see cref="DefaultInitialization"/>, or the file's own weights), and
/// calls loss and log_px once on a probe batch of the data's shape, so a module that breaks the
/// contract is refused before anything is written.
/// </summary>
public static class TorchScriptFamily
{
    public const string FamilyName = "torchscript";

    public const string Description =
        "your PyTorch model, saved with torch.jit.script(model).save(FILE), given by --model-file FILE (contract: README 'Score your own PyTorch model')";

    const int ProbeExamples = 2;

    public static ModelFamily Family { get; } = new(FamilyName, Description, Create);

    public static IDensityModel Create(ModelContext context)
    {
        var options = context.TorchScript
            ?? throw new InvalidConfigurationException($"model = {FamilyName} needs the module file: --model-file FILE (config: \"torchscript\": {{\"path\": FILE}})");
        if (context.Device is { } device && device.type != DeviceType.CPU)
            throw new InvalidConfigurationException($"model = {FamilyName} runs on the CPU in this version, not on {device}: give --device cpu");
        if (options.Problems().FirstOrDefault() is { } problem) throw new InvalidConfigurationException(problem);
        var module = TorchScriptFile.Load(options.Path);
        try
        {
            var contract = new TorchScriptContract(module, options.Path);
            if (!options.InitFromFile) Initialize(module, contract, context.InitSeed, options.Path);
            Probe(module, contract, context.InputShape, options.InputKind);
            bool samples = GlobalGeneratorLock.RunSeeded(0, () => { module.eval(); using var _ = no_grad(); return contract.Defines(TorchScriptContract.SampleMethod, 1); });
            var description = Describe(options, context, samples);
            return samples
                ? new SampleableTorchScriptModel(module, contract, description, context.LearningRate, context.ImportanceSamples, context.InputShape)
                : new TorchScriptModel(module, contract, description, context.LearningRate, context.ImportanceSamples);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>reset_parameters() with the global generator seeded by the task's init seed, else PyTorch's default rules.</summary>
    static void Initialize(jit.ScriptModule module, TorchScriptContract contract, long initSeed, string source)
    {
        bool reset = GlobalGeneratorLock.RunSeeded(initSeed, () => { using var _ = no_grad(); return contract.Defines(TorchScriptContract.ResetParameters); });
        if (reset) return;
        using var generator = new Generator((ulong)initSeed);
        DefaultInitialization.Apply(module, generator, source);
    }

    static void Probe(jit.ScriptModule module, TorchScriptContract contract, long[] inputShape, InputKind input) =>
        GlobalGeneratorLock.RunSeeded(0, () =>
        {
            module.eval();
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var batch = ProbeBatch(inputShape, input);
            contract.CallFinite(TorchScriptContract.Loss, [ProbeExamples], batch);
            contract.CallFinite(TorchScriptContract.LogPx, [ProbeExamples], batch, 2);
            return true;
        });

    /// <summary>Two examples of the data's shape and value range: all 0 and all 1 for binary input, mid-grey otherwise.</summary>
    static Tensor ProbeBatch(long[] inputShape, InputKind input)
    {
        using var k = new ScalarScope();
        var batch = zeros([ProbeExamples, .. inputShape]);
        if (input == InputKind.Binary) batch[1].fill_(k[1.0f]);
        else batch.fill_(k[input == InputKind.Dequantized ? 128.5f / 256 : 128f / 255]);
        return batch;
    }

    static ModelDescription Describe(TorchScriptOptions options, ModelContext context, bool samples) =>
        new(FamilyName, new Dictionary<string, string>
        {
            ["file"] = Path.GetFileName(options.Path),
            ["sha256"] = options.Sha256 ?? TorchScriptFile.Sha256(options.Path),
            ["input_kind"] = options.Input,
            ["init"] = options.Init,
            ["sample"] = samples ? "yes" : "no",
            ["input"] = string.Join("x", context.InputShape),
        });
}
