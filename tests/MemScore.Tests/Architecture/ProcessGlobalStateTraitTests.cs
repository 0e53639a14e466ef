using System.Reflection;
using MemScore.Tests.Support;

namespace MemScore.Tests.Architecture;

/// <summary>
/// test.sh runs the classes with the trait Process=GlobalState in a test process of their own, beside the
/// parallel classes: a class in the <see cref="ProcessGlobalState"/> collection without the trait would run
/// at the end of the other process (slow, still alone); one with the trait outside the collection would run
/// in parallel with the collection's classes (unsafe). The two marks must agree.
/// </summary>
public class ProcessGlobalStateTraitTests
{
    static string? ConstructorArgument(CustomAttributeData attribute, int index) =>
        attribute.ConstructorArguments.Count > index ? attribute.ConstructorArguments[index].Value as string : null;

    static bool InCollection(Type type) => type.CustomAttributes.Any(a =>
        a.AttributeType == typeof(CollectionAttribute) && ConstructorArgument(a, 0) == ProcessGlobalState.Name);

    static bool HasTrait(Type type) => type.CustomAttributes.Any(a =>
        a.AttributeType == typeof(TraitAttribute) && ConstructorArgument(a, 0) == ProcessGlobalState.TraitName
        && ConstructorArgument(a, 1) == ProcessGlobalState.TraitValue);

    [Fact]
    public void Every_class_of_the_collection_has_the_trait_and_no_other_class_has_it()
    {
        var types = typeof(ProcessGlobalState).Assembly.GetTypes();
        var members = types.Where(InCollection).ToArray();
        Assert.True(members.Length >= 40, $"{members.Length} classes in the collection: the attribute is no longer found");
        Assert.Empty(members.Where(t => !HasTrait(t)).Select(t => t.FullName));
        Assert.Empty(types.Where(t => HasTrait(t) && !InCollection(t)).Select(t => t.FullName));
        Assert.Empty(types.SelectMany(t => t.GetMethods()).Where(m => m.CustomAttributes.Any(a =>
            a.AttributeType == typeof(TraitAttribute) && ConstructorArgument(a, 0) == ProcessGlobalState.TraitName)).Select(m => m.Name));
    }
}
