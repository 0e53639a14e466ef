using System.Reflection;
using System.Reflection.Emit;

namespace MemScore.Tests.Support;

/// <summary>
/// The methods a compiled method body calls (call, callvirt, newobj, ldftn, ldvirtftn), read from its
/// IL: enough to check rules about which APIs code uses, lambdas and iterators included (the compiler
/// puts them in methods of generated types, which <see cref="AllMethods"/> lists too).
/// </summary>
public static class IlCalls
{
    static readonly OpCode?[] OneByte = new OpCode?[0x100];
    static readonly OpCode?[] TwoByte = new OpCode?[0x100];

    static IlCalls()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            ushort value = (ushort)op.Value;
            if (op.Size == 1) OneByte[value] = op;
            else TwoByte[value & 0xff] = op;
        }
    }

    const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every method and constructor declared in <paramref name="assembly"/>, nested and compiler-generated types included.</summary>
    public static IEnumerable<MethodBase> AllMethods(Assembly assembly)
    {
        Type?[] types;
        try { types = assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types; }
        foreach (var type in types.OfType<Type>())
        {
            foreach (var m in type.GetMethods(Everything)) yield return m;
            foreach (var c in type.GetConstructors(Everything)) yield return c;
        }
    }

    /// <summary>The call targets in <paramref name="method"/>'s body (none when it has no IL body); unresolvable tokens are skipped.</summary>
    public static IEnumerable<MethodBase> Targets(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or NotSupportedException) { il = null; }
        if (il is null) yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        int position = 0;
        while (position < il.Length)
        {
            OpCode? found = il[position] == 0xFE && position + 1 < il.Length ? TwoByte[il[position + 1]] : OneByte[il[position]];
            if (found is not OpCode op) yield break;   // not IL we understand: stop rather than misread
            position += op.Size;
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
                _ => 4,
            };
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn || op == OpCodes.Ldvirtftn)
            {
                MethodBase? target = null;
                try { target = method.Module.ResolveMethod(BitConverter.ToInt32(il, position), typeArguments, methodArguments); }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException) { }
                if (target is not null) yield return target;
            }
            position += operand;
        }
    }

    /// <summary>A key that is the same for a method and its generic instantiations.</summary>
    public static (Module, int) Key(MethodBase method) => (method.Module, method.MetadataToken);

    /// <summary>C#-like name of a method for messages: Type.Name(ParameterTypes).</summary>
    public static string Describe(MethodBase method) =>
        $"{method.DeclaringType?.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";
}
