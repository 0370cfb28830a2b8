using System.Buffers;

namespace PsTraining.Protocol.Wire;

/// <summary>
/// Writes a message made of a few scalar fields and one repeated Tensor field whose tensors are slices of a flat
/// float vector laid out by a <see cref="ParameterLayout"/>: a PullResponse (weights) or a PushRequest (gradients),
/// each tensor's values copied as one block.
/// </summary>
public sealed class FlatTensorsWriter : IWireWriter, IDisposable
{
    private readonly ParameterLayout _layout;
    private readonly ReadOnlyMemory<float> _flat;
    private readonly int _tensorField;
    private readonly (int Field, ulong Value)[] _varints;
    private readonly (int Field, float Value)? _fixed32;
    private readonly int[] _tensorSizes;
    private float[]? _pooled;

    private FlatTensorsWriter(ParameterLayout layout, ReadOnlyMemory<float> flat, int tensorField, (int, ulong)[] varints, (int, float)? fixed32,
        float[]? pooled = null)
    {
        _pooled = pooled;
        if (flat.Length != layout.TotalLength)
        {
            throw new ArgumentException($"the flat vector holds {flat.Length} floats, the layout {layout.TotalLength}");
        }

        _layout = layout;
        _flat = flat;
        _tensorField = tensorField;
        _varints = varints.Where(v => v.Item2 != 0).ToArray(); // proto3 leaves zero scalars out
        _fixed32 = fixed32 is { } f && f.Item2 != 0 ? f : null;
        _tensorSizes = layout.Tensors.Select(t => TensorCodec.Size(t.Name, t.Shape, t.Length)).ToArray();
        Size = _varints.Sum(v => ProtoWriter.TagSize(v.Field) + ProtoWriter.VarintSize(v.Value))
               + (_fixed32 is null ? 0 : ProtoWriter.TagSize(_fixed32.Value.Field) + 4)
               + _tensorSizes.Sum(s => ProtoWriter.LengthDelimitedSize(tensorField, s));
    }

    public int Size { get; }

    /// <summary>pstraining.v1.PullResponse: 1 version, 2 weights; <paramref name="pooled"/> (the array behind the weights) goes back to the pool on dispose.</summary>
    public static FlatTensorsWriter PullResponse(ulong version, ParameterLayout layout, ReadOnlyMemory<float> weights, float[]? pooled = null) =>
        new(layout, weights, 2, [(1, version)], null, pooled);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _pooled, null) is { } array)
        {
            ArrayPool<float>.Shared.Return(array);
        }
    }

    /// <summary>pstraining.v1.PushRequest: 1 learner_id, 2 sequence, 3 read_version, 4 gradients, 5 loss, 6 return_weights.</summary>
    public static FlatTensorsWriter PushRequest(uint learnerId, ulong sequence, ulong readVersion, float loss, ParameterLayout layout, ReadOnlyMemory<float> gradient,
        bool returnWeights = false) =>
        new(layout, gradient, 4, [(1, learnerId), (2, sequence), (3, readVersion), (6, returnWeights ? 1UL : 0UL)], (5, loss));

    /// <summary>
    /// pstraining.v1.PushResponse with the weights: 1 version, 2 staleness, 3 duplicate, 4 applied_learning_rate,
    /// 5 weights, 6 weights_version; <paramref name="pooled"/> (the array behind the weights) goes back to the pool on dispose.
    /// </summary>
    public static FlatTensorsWriter PushResponse(V1.PushResponse outcome, ulong weightsVersion, ParameterLayout layout, ReadOnlyMemory<float> weights, float[]? pooled = null) =>
        new(layout, weights, 5, [(1, outcome.Version), (2, outcome.Staleness), (3, outcome.Duplicate ? 1UL : 0UL), (6, weightsVersion)], (4, outcome.AppliedLearningRate), pooled);

    public void Write(Span<byte> destination)
    {
        var writer = new ProtoWriter(destination);
        foreach (var (field, value) in _varints)
        {
            writer.WriteTag(field, ProtoReader.Varint);
            writer.WriteVarint(value);
        }

        var flat = _flat.Span;
        for (var i = 0; i < _layout.Tensors.Count; i++)
        {
            var t = _layout.Tensors[i];
            writer.WriteLength(_tensorField, _tensorSizes[i]);
            TensorCodec.Write(ref writer, t.Name, t.Shape, flat.Slice(t.Offset, t.Length));
        }

        if (_fixed32 is { } f)
        {
            writer.WriteTag(f.Field, ProtoReader.Fixed32);
            writer.WriteFixed32(BitConverter.SingleToUInt32Bits(f.Value));
        }
    }
}
