using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace PsTraining.Deploy.Tests;

/// <summary>
/// The methods of a compiled assembly and the methods each one calls, read from its IL. A method is named
/// <c>Namespace.Type/Nested::name(parameter types)return type</c>, the same way whichever assembly names it, so a
/// call from one assembly matches the definition in another. A lambda is reached from its outer method through the
/// <c>ldftn</c> that makes its delegate; calls through a virtual or interface member name that member, not what it
/// resolves to at run time.
/// </summary>
internal sealed record CompiledMethod(string Name, IReadOnlyList<string> Calls)
{
    public bool IsConstructor => Name.Contains("::.ctor(", StringComparison.Ordinal) || Name.Contains("::.cctor(", StringComparison.Ordinal);

    public static List<CompiledMethod> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = new Names(metadata);
        var methods = new List<CompiledMethod>();
        foreach (var handle in metadata.MethodDefinitions)
        {
            var method = metadata.GetMethodDefinition(handle);
            var calls = method.RelativeVirtualAddress == 0 ? [] : CallsIn(pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader(), metadata, names);
            methods.Add(new CompiledMethod(names.Of(method), calls));
        }

        return methods;
    }

    private static List<string> CallsIn(BlobReader il, MetadataReader metadata, Names names)
    {
        var calls = new List<string>();
        while (il.RemainingBytes > 0)
        {
            var first = il.ReadByte();
            var code = first == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)first;
            if (code is ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj or ILOpCode.Ldftn or ILOpCode.Ldvirtftn)
            {
                var target = MetadataTokens.EntityHandle(il.ReadInt32());
                if (target.Kind == HandleKind.MethodSpecification)
                {
                    target = metadata.GetMethodSpecification((MethodSpecificationHandle)target).Method;
                }

                if (names.Of(target) is { } name)
                {
                    calls.Add(name);
                }
            }
            else
            {
                il.Offset += code == ILOpCode.Switch ? 4 * il.ReadInt32() : OperandBytes(code);
            }
        }

        return calls;
    }

    private static int OperandBytes(ILOpCode code) => code.IsBranch() ? code.GetBranchOperandSize() : code switch
    {
        ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s or ILOpCode.Stloc_s
            or ILOpCode.Ldc_i4_s or ILOpCode.Unaligned => 1,
        ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => 2,
        ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8 => 8,
        ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or ILOpCode.Jmp or ILOpCode.Calli or ILOpCode.Ldstr or ILOpCode.Ldtoken
            or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld
            or ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr
            or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Cpobj
            or ILOpCode.Initobj or ILOpCode.Sizeof or ILOpCode.Mkrefany or ILOpCode.Refanyval or ILOpCode.Constrained => 4,
        _ => 0,
    };

    /// <summary>Names of types and methods, written the same way for a definition and for a reference.</summary>
    private sealed class Names(MetadataReader metadata) : ISignatureTypeProvider<string, object?>
    {
        public string Of(MethodDefinition method) =>
            $"{GetTypeFromDefinition(metadata, method.GetDeclaringType(), 0)}::{metadata.GetString(method.Name)}{Signature(method.DecodeSignature(this, null))}";

        public string? Of(EntityHandle target)
        {
            switch (target.Kind)
            {
                case HandleKind.MethodDefinition:
                    return Of(metadata.GetMethodDefinition((MethodDefinitionHandle)target));
                case HandleKind.MemberReference:
                    var member = metadata.GetMemberReference((MemberReferenceHandle)target);
                    if (member.GetKind() != MemberReferenceKind.Method)
                    {
                        return null;
                    }

                    var type = member.Parent.Kind switch
                    {
                        HandleKind.TypeReference => GetTypeFromReference(metadata, (TypeReferenceHandle)member.Parent, 0),
                        HandleKind.TypeDefinition => GetTypeFromDefinition(metadata, (TypeDefinitionHandle)member.Parent, 0),
                        HandleKind.TypeSpecification => GenericDefinition(metadata.GetTypeSpecification((TypeSpecificationHandle)member.Parent).DecodeSignature(this, null)),
                        _ => "?",
                    };
                    return $"{type}::{metadata.GetString(member.Name)}{Signature(member.DecodeMethodSignature(this, null))}";
                default:
                    return null;
            }
        }

        private static string Signature(MethodSignature<string> signature) => $"({string.Join(",", signature.ParameterTypes)}){signature.ReturnType}";

        // A member of List<int> is named as the member of List`1, as its definition is.
        private static string GenericDefinition(string type) => type.Split('<')[0];

        public string GetArrayType(string elementType, ArrayShape shape) => $"{elementType}[{new string(',', shape.Rank - 1)}]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "method" + Signature(signature);
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => $"{genericType}<{string.Join(",", typeArguments)}>";
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            var outer = type.GetDeclaringType();
            return outer.IsNil ? Qualified(reader.GetString(type.Namespace), reader.GetString(type.Name))
                : $"{GetTypeFromDefinition(reader, outer, rawTypeKind)}/{reader.GetString(type.Name)}";
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? $"{GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind)}/{reader.GetString(type.Name)}"
                : Qualified(reader.GetString(type.Namespace), reader.GetString(type.Name));
        }

        private static string Qualified(string ns, string name) => ns.Length == 0 ? name : $"{ns}.{name}";
    }
}
