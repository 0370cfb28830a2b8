namespace PsTraining.Protocol.Wire;

/// <summary>A minimal protobuf wire writer into a span sized beforehand with the static size helpers.</summary>
public ref struct ProtoWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public readonly int Written => _position;

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int TagSize(int field) => VarintSize((ulong)field << 3);

    /// <summary>Tag, length and payload of a length-delimited field.</summary>
    public static int LengthDelimitedSize(int field, int payload) => TagSize(field) + VarintSize((ulong)payload) + payload;

    public void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _destination[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _destination[_position++] = (byte)value;
    }

    public void WriteFixed32(uint value)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_destination[_position..], value);
        _position += 4;
    }

    public void WriteLength(int field, int length)
    {
        WriteTag(field, ProtoReader.LengthDelimited);
        WriteVarint((ulong)length);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[_position..]);
        _position += bytes.Length;
    }

    /// <summary>Moves past <paramref name="count"/> bytes that another encoder wrote in place.</summary>
    public void Skip(int count) => _position += count;
}
