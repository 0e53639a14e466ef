using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Core;

/// <summary>
/// The TorchSharp Scalars of one method body, kept alive until the scope is disposed and then freed
/// at once; the only place where MemScore makes Scalars (ScalarLifetimeRuleTests enforces it).
/// <para>
/// Why: a Scalar is a native object freed by its finalizer when not disposed. TorchSharp passes only
/// its handle to native code, so a Scalar made by an implicit conversion (<c>x.mul(0.5)</c>, and inside
/// TorchSharp itself: <c>square()</c> is <c>pow(2)</c>, <c>a.add(b)</c> is <c>a.add(b, 1)</c>,
/// <c>add_(s)</c> is <c>add_(s, 1)</c>) is unreachable while libtorch still reads it. A collection
/// started by another thread (a second worker) during that call let the finalizer thread free it:
/// "Unknown scalar type" / "Expected false to be true" in c10::Scalar, or a silently wrong value
/// (issue 18 item 29). Scalars taken from a scope live until the scope's Dispose, after every call
/// that uses them; a scope is a local of one method, never shared between threads.
/// </para>
/// Usage: <c>using var k = new ScalarScope(); x.mul(k[0.5]).add_(y, k.One)</c>. The indexer overloads
/// make the same Scalar type the implicit conversion would (int 2 stays an integer Scalar), so results
/// are bit-identical to the implicit form.
/// </summary>
public sealed class ScalarScope : IDisposable
{
    readonly List<Scalar> _made = [];
    Scalar? _one;

    public Scalar this[int value] => Keep(value.ToScalar());
    public Scalar this[long value] => Keep(value.ToScalar());
    public Scalar this[float value] => Keep(value.ToScalar());
    public Scalar this[double value] => Keep(value.ToScalar());

    /// <summary>
    /// Integer 1: the alpha TorchSharp's add(Tensor), add_(Tensor), add(Scalar) and add_(Scalar) would make
    /// implicitly; pass it to the two-argument overloads instead.
    /// </summary>
    public Scalar One => _one ??= this[1];

    Scalar Keep(Scalar scalar)
    {
        _made.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var scalar in _made) scalar.Dispose();
        _made.Clear();
        _one = null;
    }

    /// <summary>
    /// softplus with Scalars the caller keeps: TorchSharp 0.107's public softplus(double, double) turns
    /// its arguments into implicit Scalars, so call the private overload it forwards to (same native call,
    /// same result). Fails at first use, naming the method, if a TorchSharp update removes it.
    /// </summary>
    public static Tensor Softplus(Tensor x, Scalar beta, Scalar threshold) => SoftplusCall.WithScalars(x, beta, threshold);

    /// <summary>
    /// A TorchScript method call whose arguments are a tensor and/or an int only: TorchSharp 0.107's
    /// ScriptModule.invoke turns float, double and long arguments into Scalars it keeps no reference to
    /// (the hazard above), while tensors pass as handles and ints by value. No argument: pass null for both.
    /// </summary>
    public static object InvokeScript(jit.ScriptModule module, string method, Tensor? x, int? count)
    {
        object[] arguments = [.. new object?[] { x, count }.OfType<object>()];
        return module.invoke(method, arguments);
    }

    static class SoftplusCall
    {
        public static readonly Func<Tensor, Scalar, Scalar, Tensor> WithScalars =
            typeof(Tensor).GetMethod("softplus1", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Scalar), typeof(Scalar)])
                ?.CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>()
            ?? throw new MissingMethodException("TorchSharp's Tensor.softplus1(Scalar, Scalar) is gone: this TorchSharp version needs another way to call softplus with kept Scalars (see ScalarScope)");
    }
}
