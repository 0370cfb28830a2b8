namespace PsTraining.Protocol.Wire;

/// <summary>
/// The values of a <c>repeated float</c> field as they come off the wire: usually one packed run, left where it lies
/// in the received buffer; gathered into a new array only when an encoder split the field into several runs or sent it
/// unpacked, as protobuf allows.
/// </summary>
internal struct PackedFloats
{
    private ReadOnlyMemory<byte> _first;
    private List<byte>? _gathered;

    /// <summary>A packed run: <paramref name="run"/> is the field's payload within the message's memory.</summary>
    public void AddRun(ReadOnlyMemory<byte> run, ref ProtoReader reader)
    {
        if (run.Length % sizeof(float) != 0)
        {
            throw reader.Malformed($"packed floats of {run.Length} bytes");
        }

        if (_first.IsEmpty && _gathered is null)
        {
            _first = run;
            return;
        }

        _gathered ??= [.. _first.Span];
        _gathered.AddRange(run.Span);
    }

    /// <summary>One unpacked value.</summary>
    public void AddOne(uint bits)
    {
        _gathered ??= [.. _first.Span];
        _gathered.AddRange(BitConverter.GetBytes(bits));
    }

    /// <summary>All values as little-endian bytes.</summary>
    public readonly ReadOnlyMemory<byte> Bytes => _gathered is null ? _first : _gathered.ToArray();
}
