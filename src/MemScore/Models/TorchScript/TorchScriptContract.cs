using System.Runtime.InteropServices;
using MemScore.Core;
using static TorchSharp.torch;

namespace MemScore.Models.TorchScript;

/// <summary>
/// The methods MemScore calls on a module (README "Score your own PyTorch model"):
/// loss(x) -> Tensor[B], log_px(x, samples: int) -> Tensor[B], optional reset_parameters() and sample(n: int).
/// Every call goes through here, so a failing or misshapen method is reported by name with the file.
/// </summary>
internal sealed class TorchScriptContract(jit.ScriptModule module, string source)
{
    public const string Loss = "loss";
    public const string LogPx = "log_px";
    public const string ResetParameters = "reset_parameters";
    public const string SampleMethod = "sample";

    /// <summary>
    /// Calls an optional method and says whether the module defines it (libtorch names a missing method in
    /// its error); a method that exists but fails is refused, naming it.
    /// </summary>
    public bool Defines(string method, int? count = null)
    {
        try
        {
            Dispose(ScalarScope.InvokeScript(module, method, null, count));
            return true;
        }
        catch (ExternalException e) when (IsMissing(e, method)) { return false; }
        catch (ExternalException e)
        {
            throw new InvalidInputException(source, $"{method}({count?.ToString() ?? ""}) failed: {TorchScriptFile.Cause(e.Message)}", e);
        }
    }

    /// <summary>Calls a method that must return a float tensor of <paramref name="shape"/>; refuses anything else, naming the method.</summary>
    public Tensor Call(string method, long[] shape, Tensor? x, int? count = null)
    {
        string signature = $"{method}({string.Join(", ", new[] { x is null ? null : $"x [{string.Join(", ", x.shape)}]", count?.ToString() }.OfType<string>())})";
        object result;
        try { result = ScalarScope.InvokeScript(module, method, x, count); }
        catch (ExternalException e) when (IsMissing(e, method))
        {
            throw new InvalidInputException(source, $"the module has no method {method}: define it and mark it @torch.jit.export (contract: README 'Score your own PyTorch model')", e);
        }
        catch (ExternalException e)
        {
            throw new InvalidInputException(source, $"{signature} failed: {TorchScriptFile.Cause(e.Message)}", e);
        }
        if (result is not Tensor tensor)
        {
            Dispose(result);
            throw new InvalidInputException(source, $"{signature} returned {result?.GetType().Name ?? "None"}; expected one tensor of shape [{string.Join(", ", shape)}]");
        }
        if (!tensor.shape.SequenceEqual(shape) || !tensor.is_floating_point())
        {
            string got = $"a {tensor.dtype} tensor of shape [{string.Join(", ", tensor.shape)}]";
            tensor.Dispose();
            throw new InvalidInputException(source, $"{signature} returned {got}; expected a float tensor of shape [{string.Join(", ", shape)}] (one value per example)");
        }
        return tensor;
    }

    /// <summary>The same, refusing NaN or infinite values (used on the probe batch when the module is loaded).</summary>
    public Tensor CallFinite(string method, long[] shape, Tensor x, int? count = null)
    {
        var tensor = Call(method, shape, x, count);
        using var finite = tensor.isfinite().all();
        if (finite.item<bool>()) return tensor;
        tensor.Dispose();
        throw new InvalidInputException(source, $"{method} returned NaN or infinite values on a probe batch of the data's shape; a fresh model must give finite values");
    }

    static bool IsMissing(ExternalException e, string method) =>
        e.Message.Contains($"'{method}'", StringComparison.Ordinal) && e.Message.Contains("not defined", StringComparison.OrdinalIgnoreCase);

    static void Dispose(object? result)
    {
        if (result is IDisposable disposable) disposable.Dispose();
        else if (result is object[] many) foreach (var item in many) Dispose(item);
    }
}
