using System.Reflection;
using MemScore.Core;
using MemScore.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace MemScore.Tests.Training;

/// <summary>
/// The rule behind <see cref="ScalarScope"/>, checked on the compiled code (IL), so a new implicit Scalar
/// fails here instead of crashing a long run: outside ScalarScope, no MemScore method makes a TorchSharp
/// Scalar (an implicit conversion such as x.mul(0.5), or ToScalar) or calls a TorchSharp method that
/// makes one inside (square(), add(Tensor), add_(Scalar), arange(stop), nn.functional.softplus, ...:
/// every TorchSharp method whose code, directly or through other TorchSharp methods, constructs a
/// Scalar), and no MemScore code builds a TorchSharp module whose forward does (BatchNorm2d, LeakyReLU).
/// Blind spot: TorchSharp methods reached only through virtual calls other than module forwards.
/// </summary>
[Collection(ProcessGlobalState.Name), Trait(ProcessGlobalState.TraitName, ProcessGlobalState.TraitValue)]
public class ScalarLifetimeRuleTests
{
    static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;
    static readonly Assembly[] Ours = [typeof(ScalarScope).Assembly, typeof(MemScore.Cli.ProgressView).Assembly];

    /// <summary>TorchSharp methods that construct a Scalar, directly or through other TorchSharp methods.</summary>
    static readonly Lazy<HashSet<(Module, int)>> Makers = new(() =>
    {
        var scalarConstructors = typeof(Scalar).GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(IlCalls.Key).ToHashSet();
        var calls = new Dictionary<(Module, int), HashSet<(Module, int)>>();
        foreach (var method in IlCalls.AllMethods(TorchSharpAssembly))
            calls[IlCalls.Key(method)] = IlCalls.Targets(method).Where(t => t.Module == method.Module).Select(IlCalls.Key).ToHashSet();
        var makers = calls.Where(c => c.Value.Overlaps(scalarConstructors)).Select(c => c.Key).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, targets) in calls)
                if (!makers.Contains(method) && targets.Overlaps(makers)) grew = makers.Add(method) | grew;
        }
        return makers;
    });

    static bool MakesScalars(MethodBase method) => method.Module.Assembly == TorchSharpAssembly && Makers.Value.Contains(IlCalls.Key(method));

    static bool IsScalarScope(Type? type) => type is not null && (type == typeof(ScalarScope) || IsScalarScope(type.DeclaringType));

    /// <summary>"Caller -> callee" for every call in <paramref name="methods"/> that makes a Scalar nobody keeps.</summary>
    static List<string> UnkeptScalars(IEnumerable<MethodBase> methods) =>
        [.. methods.Where(m => !IsScalarScope(m.DeclaringType))
            .SelectMany(m => IlCalls.Targets(m).Where(MakesScalars).Select(t => $"{m.DeclaringType?.FullName}.{m.Name} -> {IlCalls.Describe(t)}"))
            .Distinct()];

    /// <summary>TorchSharp module types whose forward makes Scalars, built (constructor or factory) in <paramref name="methods"/>.</summary>
    static List<string> UnsafeModules(IEnumerable<MethodBase> methods) =>
        [.. methods.SelectMany(m => IlCalls.Targets(m).Select(t => (Caller: m, Built: t is ConstructorInfo ? t.DeclaringType : (t as MethodInfo)?.ReturnType)))
            // A TorchScript module's forward is never called: its methods go through ScalarScope.InvokeScript.
            .Where(c => c.Built is not null && c.Built.Assembly == TorchSharpAssembly && typeof(nn.Module).IsAssignableFrom(c.Built) && c.Built != typeof(jit.ScriptModule)
                && c.Built.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(f => f.Name == "forward" && MakesScalars(f)))
            .Select(c => $"{c.Caller.DeclaringType?.FullName}.{c.Caller.Name} builds {c.Built!.Name}")
            .Distinct()];

    [Fact]
    public void No_MemScore_method_makes_a_Scalar_outside_a_ScalarScope()
    {
        var found = UnkeptScalars(Ours.SelectMany(IlCalls.AllMethods));
        Assert.True(found.Count == 0,
            $"{found.Count} call(s) make TorchSharp Scalars that nothing keeps alive (use a ScalarScope: x.mul(k[0.5]), a.add(b, k.One), x.pow(k[2])):\n" + string.Join("\n", found));
    }

    [Fact]
    public void No_MemScore_code_builds_a_TorchSharp_module_whose_forward_makes_Scalars()
    {
        var found = UnsafeModules(Ours.SelectMany(IlCalls.AllMethods));
        Assert.True(found.Count == 0, "use the ScalarSafe modules (MemScore.Models.ScalarSafeModules) instead:\n" + string.Join("\n", found));
    }

    /// <summary>The rule itself: it flags each way an unkept Scalar arises and passes the kept forms.</summary>
    [Fact]
    public void The_rule_flags_implicit_Scalars_and_passes_kept_ones()
    {
        static IEnumerable<MethodBase> Methods(Type type) =>
            type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
        var flagged = UnkeptScalars(Methods(typeof(Offenders)));
        foreach (var name in Methods(typeof(Offenders)).Select(m => m.Name).Where(n => n != nameof(Offenders.BuildsBatchNorm)))
            Assert.Contains(flagged, f => f.Contains($".{name} -> "));
        Assert.Contains(UnsafeModules(Methods(typeof(Offenders))), f => f.Contains("BatchNorm2d"));
        Assert.Empty(UnkeptScalars(Methods(typeof(KeptForms))));
        Assert.Empty(UnsafeModules(Methods(typeof(KeptForms))));
    }

    /// <summary>Never run: compiled so that the rule can read their IL.</summary>
    static class Offenders
    {
        internal static Tensor ImplicitDouble(Tensor x) => x.mul(0.5);
        internal static Tensor ImplicitInteger(Tensor x) => x.clamp_(0, 1);
        internal static Tensor Square(Tensor x) => x.square();
        internal static Tensor AddTensor(Tensor a, Tensor b) => a.add(b);
        internal static Tensor AddOperator(Tensor a, Tensor b) => a + b;
        internal static Tensor AddKeptScalarWithoutAlpha(Tensor x, ScalarScope k) => x.add_(k[1.0]);
        internal static Tensor Softplus(Tensor x) => nn.functional.softplus(x);
        internal static Tensor Arange(long n) => arange(n);
        internal static Scalar Explicit(double v) => v.ToScalar();
        internal static nn.Module BuildsBatchNorm() => nn.BatchNorm2d(4);
    }

    static class KeptForms
    {
        internal static Tensor Kept(Tensor x, Tensor y)
        {
            using var k = new ScalarScope();
            return x.mul(k[0.5]).pow(k[2]).add_(y, k.One).add(k[1e-5], k.One).clamp_(k[0], k[1]);
        }

        internal static Tensor Softplus(Tensor x, ScalarScope k) => ScalarScope.Softplus(x, k[1.0], k[20.0]);
        internal static Tensor TensorOnly(Tensor a, Tensor b) => a.mul(b).sub(a).exp();
        internal static nn.Module BuildsSafeModules() => nn.Sequential(new MemScore.Models.ScalarSafeBatchNorm2d(4), new MemScore.Models.ScalarSafeLeakyReLU(0.2), nn.ReLU());
    }
}
