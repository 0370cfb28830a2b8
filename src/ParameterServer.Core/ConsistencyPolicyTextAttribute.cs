using System.ComponentModel.DataAnnotations;

namespace PsTraining.ParameterServer.Core;

/// <summary>
/// Marks a program's option whose value names a <see cref="ConsistencyPolicy"/>: the options binder refuses any other
/// text with what the option accepts, as it does a number out of its range.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConsistencyPolicyTextAttribute() : ValidationAttribute(ConsistencyPolicy.Accepted)
{
    public override bool IsValid(object? value) => value is not string text || ConsistencyPolicy.TryParse(text) is not null;
}
