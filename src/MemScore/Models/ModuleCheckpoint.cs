using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Models;

/// <summary>
/// The complete training state of a float32 module trained with <see cref="AdamOptimizer"/> (or an
/// ensemble with <see cref="EnsembleAdamOptimizer"/>), as named numeric arrays: "param.NAME",
/// "buffer.NAME" (float32 or int64, e.g. batch-norm statistics), "adam_m.NAME", "adam_v.NAME" and
/// "adam_step" (one count per model). Loading checks every name, dtype and shape before
/// it changes anything, so a refused checkpoint leaves the model as it was.
/// </summary>
internal static class ModuleCheckpoint
{
    public static Dictionary<string, NpyArray> Save(nn.Module module, IOptimizerCheckpoint optimizer)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        // Owns every tensor the save makes (detached copies, views of ensemble moments): outside a scope they would
        // reach the finalizer, which may free one while libtorch still reads it (FinalizerTensorTests).
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, NpyArray>();
        foreach (var (name, parameter) in module.named_parameters())
            state["param." + name] = ToFloat32(parameter, name);
        foreach (var (name, first, second) in optimizer.State())
        {
            state["adam_m." + name] = ToFloat32(first, name);
            state["adam_v." + name] = ToFloat32(second, name);
        }
        foreach (var (name, buffer) in module.named_buffers())
            state["buffer." + name] = buffer.dtype == ScalarType.Int64 ? ToInt64(buffer) : ToFloat32(buffer, name);
        state["adam_step"] = NpyArray.FromInt64(optimizer.StepCounts());
        return state;
    }

    /// <param name="source">Names the file in error messages.</param>
    public static void Load(nn.Module module, IOptimizerCheckpoint optimizer, IReadOnlyDictionary<string, NpyArray> state, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        var weights = new List<(Tensor Target, float[] Values)>();
        var moments = new Dictionary<string, (float[] First, float[] Second)>();
        foreach (var (name, parameter) in module.named_parameters())
        {
            weights.Add((parameter, ReadFloats(state, "param." + name, parameter.shape, source)));
            moments[name] = (ReadFloats(state, "adam_m." + name, parameter.shape, source),
                             ReadFloats(state, "adam_v." + name, parameter.shape, source));
        }
        var buffers = module.named_buffers().Select(b => (b.buffer, ReadBuffer(state, b.name, b.buffer, source))).ToList();
        long[] steps = ReadSteps(state, optimizer.StepCounts().Length, source);
        if (Problem(state) is { } problem) throw new InvalidInputException(source, problem);
        using (no_grad())
        {
            foreach (var (target, values) in weights)
            {
                using var loaded = tensor(values, target.shape);
                target.copy_(loaded);
            }
            foreach (var (target, values) in buffers)
            {
                using var loaded = values.Descr == "<i8" ? tensor(values.ToInt64(), target.shape) : tensor(values.ToFloats(), target.shape);
                target.copy_(loaded);
            }
        }
        optimizer.Restore(steps, moments);
    }

    /// <summary>
    /// The first value of <paramref name="state"/> that training cannot have produced, or null: a NaN or
    /// infinite weight, buffer or first moment, a second moment that is negative or not finite, or (with
    /// <paramref name="expectedSteps"/>, one per model) Adam step counts other than the number of batches
    /// trained so far. <see cref="Load"/> refuses the values; callers that know the steps use this to
    /// discard a damaged checkpoint instead of resuming from it.
    /// </summary>
    public static string? Problem(IReadOnlyDictionary<string, NpyArray> state, long[]? expectedSteps = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (key, array) in state.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (array.Descr is not ("<f4" or "<f8") || !(key.StartsWith("param.", StringComparison.Ordinal) || key.StartsWith("buffer.", StringComparison.Ordinal)
                || key.StartsWith("adam_m.", StringComparison.Ordinal) || key.StartsWith("adam_v.", StringComparison.Ordinal))) continue;
            bool secondMoment = key.StartsWith("adam_v.", StringComparison.Ordinal);
            var values = array.ToDoubles();
            for (int i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                    return FormattableString.Invariant($"'{key}' holds {values[i]} at position {i}, expected finite values");
                if (secondMoment && values[i] < 0)
                    return FormattableString.Invariant($"'{key}' holds {values[i]} at position {i}, expected second moments >= 0");
            }
        }
        if (expectedSteps is null) return null;
        if (!state.TryGetValue("adam_step", out var stepArray) || stepArray.Descr != "<i8" || stepArray.Length != expectedSteps.Length)
            return $"checkpoint needs 'adam_step' as {expectedSteps.Length} int64";
        var steps = stepArray.ToInt64();
        for (int m = 0; m < steps.Length; m++)
            if (steps[m] != expectedSteps[m])
                return FormattableString.Invariant($"'adam_step' holds {steps[m]}{(steps.Length > 1 ? $" for member {m}" : "")}, expected {expectedSteps[m]} (one step per batch of the epochs completed)");
        return null;
    }

    static float[] ReadFloats(IReadOnlyDictionary<string, NpyArray> state, string key, long[] shape, string source)
    {
        var array = Require(state, key, source);
        if (array.Descr != "<f4") throw new InvalidInputException(source, $"'{key}' has dtype {array.Descr}, expected <f4");
        if (!array.Shape.SequenceEqual(shape))
            throw new InvalidInputException(source, $"'{key}' has shape ({string.Join(", ", array.Shape)}), the model expects ({string.Join(", ", shape)})");
        return array.ToFloats();
    }

    static NpyArray ReadBuffer(IReadOnlyDictionary<string, NpyArray> state, string name, Tensor buffer, string source)
    {
        string key = "buffer." + name;
        var array = Require(state, key, source);
        string expected = buffer.dtype == ScalarType.Int64 ? "<i8" : "<f4";
        if (array.Descr != expected || array.Length != buffer.numel())   // 0-d buffers are stored with shape (1,)
            throw new InvalidInputException(source, $"'{key}' has dtype {array.Descr} and {array.Length} values, the model expects {expected} with {buffer.numel()}");
        return array;
    }

    /// <summary>One step count per model: 1 for a single model, E for an ensemble.</summary>
    static long[] ReadSteps(IReadOnlyDictionary<string, NpyArray> state, int count, string source)
    {
        if (!state.TryGetValue("adam_step", out var array) || array.Length != count || array.Descr != "<i8")
            throw new InvalidInputException(source, $"checkpoint needs 'adam_step' as {(count == 1 ? "one int64" : $"{count} int64, one per member")}");
        long[] steps = array.ToInt64();
        if (steps.Any(s => s < 0)) throw new InvalidInputException(source, $"'adam_step' holds {steps.Min()}, expected >= 0");
        return steps;
    }

    static NpyArray Require(IReadOnlyDictionary<string, NpyArray> state, string key, string source) =>
        state.TryGetValue(key, out var array) ? array : throw new InvalidInputException(source, $"checkpoint lacks '{key}'");

    /// <summary>Checkpoints hold float32 only: <see cref="IOptimizerCheckpoint.Restore"/> takes float moments.</summary>
    static NpyArray ToFloat32(Tensor t, string name)
    {
        if (t.dtype != ScalarType.Float32)
            throw new ArgumentException($"'{name}' is {t.dtype}; module checkpoints store float32 tensors only", nameof(t));
        using var cpu = t.detach().cpu().contiguous();
        return NpyArray.FromFloats(cpu.data<float>().ToArray(), t.shape);
    }

    static NpyArray ToInt64(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return NpyArray.FromInt64(cpu.data<long>().ToArray(), t.shape);
    }
}
