namespace PsTraining.Protocol;

/// <summary>
/// The model as the server sees it: named tensors laid end to end in one flat float32 vector, in the
/// order of the model's parameters (the order <c>PsTraining.Models.Torch.FlatBuffer</c> uses).
/// </summary>
public sealed class ParameterLayout
{
    private readonly Dictionary<string, TensorSpec> _byName;

    public ParameterLayout(IEnumerable<(string Name, long[] Shape)> tensors)
    {
        var specs = new List<TensorSpec>();
        var offset = 0L;
        foreach (var (name, shape) in tensors)
        {
            var length = 1L;
            foreach (var d in shape)
            {
                if (d < 0)
                {
                    throw new ArgumentException($"tensor '{name}' has a negative dimension");
                }

                length *= d;
            }

            if (offset + length > int.MaxValue)
            {
                throw new ArgumentException("the model has more than 2^31 − 1 parameters; shard it over several servers");
            }

            specs.Add(new TensorSpec(name, shape, (int)offset, (int)length));
            offset += length;
        }

        Tensors = specs;
        TotalLength = (int)offset;
        _byName = new Dictionary<string, TensorSpec>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (!_byName.TryAdd(spec.Name, spec))
            {
                throw new ArgumentException($"tensor name '{spec.Name}' appears twice");
            }
        }
    }

    public IReadOnlyList<TensorSpec> Tensors { get; }

    /// <summary>Floats in the whole model.</summary>
    public int TotalLength { get; }

    public TensorSpec? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Copies named tensors into <paramref name="destination"/> (the flat vector), checking that every tensor of the
    /// model is given exactly once with its shape and value count. Nothing is written unless all are valid.
    /// </summary>
    public void Flatten<T>(IReadOnlyList<T> tensors, Func<T, string> name, Func<T, IReadOnlyList<long>> shape, Func<T, int> count,
        Action<T, Span<float>> copy, Span<float> destination)
    {
        if (destination.Length != TotalLength)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, the model {TotalLength}");
        }

        if (tensors.Count != Tensors.Count)
        {
            throw new PsException(PsErrorCode.InvalidArgument, $"expected {Tensors.Count} tensors ({string.Join(", ", Tensors.Select(t => t.Name))}), got {tensors.Count}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            var n = name(t);
            var spec = Find(n) ?? throw new PsException(PsErrorCode.InvalidArgument, $"unknown tensor '{n}'; the model has {string.Join(", ", Tensors.Select(s => s.Name))}");
            if (!seen.Add(n))
            {
                throw new PsException(PsErrorCode.InvalidArgument, $"tensor '{n}' is given twice");
            }

            var s = shape(t);
            if (!s.SequenceEqual(spec.Shape))
            {
                throw new PsException(PsErrorCode.InvalidArgument, $"tensor '{n}' has shape [{string.Join(", ", s)}] but the model's is {spec.ShapeText}");
            }

            if (count(t) != spec.Length)
            {
                throw new PsException(PsErrorCode.InvalidArgument, $"tensor '{n}' of shape {spec.ShapeText} needs {spec.Length} values, got {count(t)}");
            }
        }

        foreach (var t in tensors)
        {
            var spec = _byName[name(t)];
            copy(t, destination.Slice(spec.Offset, spec.Length));
        }
    }
}
