using System.Text.Json;
using System.Text.Json.Nodes;
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
internal static class TorchScriptFamily
{
    public const string FamilyName = "torchscript";

    public const string Description =
        "your PyTorch model, saved with torch.jit.script(model).save(FILE), given by --model-option path=FILE (contract: README 'Score your own PyTorch model')";

    const int ProbeExamples = 2;

    static readonly ModelOptionSchema<TorchScriptOptions> Schema = new ModelOptionSchema<TorchScriptOptions>(new())
        .ExistingFile("path", "the module saved with torch.jit.script(model).save(FILE)", o => o.Path, (o, v) => o with { Path = v })
        .String("sha256", "SHA-256 of the module file, filled in from the file when the config is resolved; a run refuses a file with another hash",
            o => o.Sha256 ?? "", (o, v) => o with { Sha256 = v }, TorchScriptOptions.IsSha256, "64 lower-case hex digits")
        .String("input", "what x holds: binary ({0, 1}), dequantized ((k + u)/256; log p in 8-bit space) or discrete-8bit (k/255)",
            o => o.Input, (o, v) => o with { Input = v }, TorchScriptOptions.InputNames.Contains, string.Join(", ", TorchScriptOptions.InputNames))
        .String("init", "reset: fresh seeded weights per task (reset_parameters() or PyTorch's default rules); file: every task starts from the file's weights",
            o => o.Init, (o, v) => o with { Init = v }, TorchScriptOptions.InitModes.Contains, string.Join(" or ", TorchScriptOptions.InitModes))
        .Rule(o => o.FileProblems());

    public static ModelFamily Family { get; } = ModelFamily.WithOptions(FamilyName, Description, Schema, Create, InputKind.Binary, inputOf: o => o.InputKind)
        with { Resolve = WithFileHash, PyTorchModule = "the scripted module itself (its state_dict; or the Python class it was scripted from)" };

    /// <summary>The module of the context's model-options, loaded, initialised and probed.</summary>
    public static IDensityModel Create(ModelContext context) => Family.Create(context);

    /// <summary>The options with the path made absolute (a run resumes from any folder) and the file's SHA-256, unless one is recorded already.</summary>
    static ModelOptionValues WithFileHash(ModelOptionValues values)
    {
        if (values.Get("path") is not JsonValue path || path.GetValueKind() != JsonValueKind.String || !File.Exists(path.GetValue<string>())) return values;
        string full = System.IO.Path.GetFullPath(path.GetValue<string>());
        values = values.With("path", full);
        return values.Contains("sha256") ? values : values.With("sha256", TorchScriptFile.Sha256(full));
    }

    static IDensityModel Create(ModelContext context, TorchScriptOptions options)
    {
        if (context.Device is { } device && device.type != DeviceType.CPU)
            throw new InvalidConfigurationException($"model = {FamilyName} runs on the CPU in this version, not on {device}: give --device cpu");
        string path = options.Path!;   // required: Bind refused its absence
        var module = TorchScriptFile.Load(path);
        try
        {
            var contract = new TorchScriptContract(module, path);
            if (!options.InitFromFile) Initialize(module, contract, context.InitSeed, path);
            Probe(module, contract, context.InputShape, options.InputKind);
            bool samples = GlobalGeneratorLock.RunSeeded(0, () => { module.eval(); using var _ = no_grad(); return contract.Defines(TorchScriptContract.SampleMethod, 1); });
            var description = Describe(options, context, samples);
            return samples
                ? new SampleableTorchScriptModel(module, contract, description, context.LearningRate, context.ImportanceSamples, context.InputShape, context.WeightDecay)
                : new TorchScriptModel(module, contract, description, context.LearningRate, context.ImportanceSamples, context.WeightDecay);
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
            ["file"] = System.IO.Path.GetFileName(options.Path!),
            ["sha256"] = options.Sha256 ?? TorchScriptFile.Sha256(options.Path!),
            ["input_kind"] = options.Input,
            ["init"] = options.Init,
            ["sample"] = samples ? "yes" : "no",
            ["input"] = string.Join("x", context.InputShape),
        });
}
