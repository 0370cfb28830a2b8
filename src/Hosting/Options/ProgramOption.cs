using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;

namespace PsTraining.Hosting;

/// <summary>
/// One option of a program, read off a property of its options class, so that each option is declared once: the
/// property's name in kebab case is the flag (<c>LearningRate</c> is <c>--learning-rate</c>) unless
/// <c>[Display(Name = ...)]</c> names it; <c>[Description]</c> makes a property an option and is its help; the value a
/// new instance holds is its default; <c>[Range]</c> and <c>[AllowedValues]</c> say what it accepts, and so does any other
/// <see cref="ValidationAttribute"/>, whose error message says what "must be" is followed by. An option of a list type
/// repeats; a <c>bool</c> is a flag; an option marked <see cref="ArgumentAttribute"/> is positional.
/// </summary>
public sealed class ProgramOption
{
    /// <summary>What every option's environment variable starts with.</summary>
    public const string EnvironmentPrefix = "PSTRAINING_";

    private static readonly ConcurrentDictionary<Type, IReadOnlyList<ProgramOption>> Declared = new();

    private readonly RangeAttribute? _range;
    private readonly string[]? _choices;
    private readonly ValidationAttribute[] _checks;

    private ProgramOption(PropertyInfo property, string description, object? defaultValue)
    {
        Property = property;
        Description = description;
        Name = property.GetCustomAttribute<DisplayAttribute>()?.Name ?? KebabCase(property.Name);
        IsList = property.PropertyType != typeof(string) && property.PropertyType.IsAssignableFrom(typeof(string[]));
        ValueType = IsList ? typeof(string) : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        IsFlag = ValueType == typeof(bool);
        IsPositional = property.IsDefined(typeof(ArgumentAttribute));
        IsRequired = property.IsDefined(typeof(RequiredAttribute));
        _range = property.GetCustomAttribute<RangeAttribute>();
        _choices = property.GetCustomAttribute<AllowedValuesAttribute>()?.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!).ToArray()
                   ?? (ValueType.IsEnum ? Enum.GetNames(ValueType).Select(n => n.ToLowerInvariant()).ToArray() : null);
        _checks = [.. property.GetCustomAttributes<ValidationAttribute>().Where(a => a is not (RangeAttribute or AllowedValuesAttribute or RequiredAttribute))];
        Default = defaultValue switch
        {
            null => null,
            string[] list => list.Length == 0 ? null : string.Join(",", list),
            var v => Format(v),
        };
    }

    /// <summary>The flag without its dashes, e.g. <c>learning-rate</c>.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>The default as the command line would write it; null when the option has none.</summary>
    public string? Default { get; }

    public PropertyInfo Property { get; }

    public bool IsFlag { get; }

    /// <summary>A repeatable option: <c>--kill-server 0@5 --kill-server 1@9</c>, a JSON array, or PSTRAINING_KILL_SERVER__0, __1.</summary>
    public bool IsList { get; }

    public bool IsPositional { get; }

    public bool IsRequired { get; }

    /// <summary>The option's key in the layered configuration: the name with '_' for '-', as an environment variable can carry it.</summary>
    public string Key => Name.Replace('-', '_');

    /// <summary>PSTRAINING_ and the name in upper snake case: <c>--learning-rate</c> is PSTRAINING_LEARNING_RATE.</summary>
    public string EnvironmentVariable => EnvironmentPrefix + Key.ToUpperInvariant();

    /// <summary>The type of one value (an element, for a list).</summary>
    public Type ValueType { get; }

    /// <summary>What the option accepts, as an error message ends: "an integer in 1..1024", "one of asp, bsp".</summary>
    public string Accepted
    {
        get
        {
            if (_checks.Length > 0)
            {
                return string.Join(" and ", _checks.Select(c => c.FormatErrorMessage(Name)));
            }

            if (_choices is not null)
            {
                return $"one of {string.Join(", ", _choices)}";
            }

            if (IsFlag)
            {
                return "true or false";
            }

            if (IsInteger(ValueType))
            {
                return _range is null ? "an integer"
                    : Convert.ToDouble(_range.Maximum, CultureInfo.InvariantCulture) >= int.MaxValue ? $"an integer >= {Format(_range.Minimum)}"
                    : $"an integer in {Format(_range.Minimum)}..{Format(_range.Maximum)}";
            }

            if (!IsReal(ValueType))
            {
                return "a value";
            }

            if (_range is null)
            {
                return "a finite number";
            }

            var max = Convert.ToDouble(_range.Maximum, CultureInfo.InvariantCulture);
            return double.IsPositiveInfinity(max) || max == double.MaxValue
                ? $"a finite number {(_range.MinimumIsExclusive ? ">" : ">=")} {Format(_range.Minimum)}"
                : $"a number in {(_range.MinimumIsExclusive ? "(" : "[")}{Format(_range.Minimum)}, {Format(_range.Maximum)}{(_range.MaximumIsExclusive ? ")" : "]")}";
        }
    }

    /// <summary>Whether <see cref="Accepted"/> says more than the type does, so that help shows it.</summary>
    public bool HasBounds => _range is not null || _choices is not null || _checks.Length > 0;

    /// <summary>The options of <typeparamref name="T"/>: its properties with a <c>[Description]</c>, in declaration order.</summary>
    public static IReadOnlyList<ProgramOption> Of<T>()
        where T : new() => Declared.GetOrAdd(typeof(T), _ =>
    {
        var defaults = new T();
        return typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => (Property: p, Description: p.GetCustomAttribute<DescriptionAttribute>()?.Description))
            .Where(p => p.Description is not null)
            .OrderBy(p => p.Property.MetadataToken)
            .Select(p => new ProgramOption(p.Property, p.Description!, p.Property.GetValue(defaults)))
            .ToList();
    });

    /// <summary>The value of <paramref name="text"/>, or null with <paramref name="error"/> saying what the option accepts.</summary>
    public object? Parse(string text, out string? error)
    {
        error = null;
        var value = ParseValue(ValueType == typeof(string) ? text : text.Trim());
        if (value is not null && InRange(value) && (_choices is null || _choices.Contains(Format(value), StringComparer.Ordinal)) && _checks.All(c => c.IsValid(value)))
        {
            return value;
        }

        error = $"--{Name} must be {Accepted}, not '{text}'";
        return null;
    }

    private object? ParseValue(string text)
    {
        var type = ValueType;
        if (type == typeof(string))
        {
            return text;
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(text, out var b) ? b : null;
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, text, ignoreCase: true, out var e) && Enum.IsDefined(type, e) && !int.TryParse(text, out _) ? e : null;
        }

        var inv = CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, inv, out var i) ? i : null,
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, inv, out var l) ? l : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d) ? d : null,
            _ when type == typeof(float) => float.TryParse(text, NumberStyles.Float, inv, out var f) && float.IsFinite(f) ? f : null,
            _ when type == typeof(decimal) => decimal.TryParse(text, NumberStyles.Float, inv, out var m) ? m : null,
            _ => throw new NotSupportedException($"--{Name}: options of type {type.Name} are not supported"),
        };
    }

    private bool InRange(object value)
    {
        if (_range is null || !(IsInteger(ValueType) || IsReal(ValueType)))
        {
            return true;
        }

        var v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        var (min, max) = (Convert.ToDouble(_range.Minimum, CultureInfo.InvariantCulture), Convert.ToDouble(_range.Maximum, CultureInfo.InvariantCulture));
        return (_range.MinimumIsExclusive ? v > min : v >= min) && (_range.MaximumIsExclusive ? v < max : v <= max);
    }

    /// <summary>A value as the command line writes it: flags as true/false, choices of an enum in lower case, numbers invariantly.</summary>
    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private static bool IsInteger(Type t) => t == typeof(int) || t == typeof(long);

    private static bool IsReal(Type t) => t == typeof(double) || t == typeof(float) || t == typeof(decimal);

    private static string KebabCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>Marks an option that the command line takes by position (<c>experiment run NAME</c>) rather than by flag.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ArgumentAttribute : Attribute;
