using System.Buffers.Binary;

namespace PsTraining.Protocol.Wire;

/// <summary>
/// A minimal protobuf wire reader over a span (varint, fixed32, length-delimited, skip), for the messages whose
/// bulk float data we copy in one block instead of element by element. Malformed input throws
/// <see cref="PsException"/> with <see cref="PsErrorCode.InvalidArgument"/>.
/// </summary>
public ref struct ProtoReader(ReadOnlySpan<byte> data, string message)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Reads the next tag as (field number, wire type).</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        var field = (int)(tag >> 3);
        if (field <= 0 || tag >> 3 > int.MaxValue)
        {
            throw Malformed($"invalid field number {tag >> 3}");
        }

        return (field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Malformed("truncated varint");
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Malformed("varint longer than 10 bytes");
    }

    public uint ReadFixed32()
    {
        if (_position + 4 > _data.Length)
        {
            throw Malformed("truncated fixed32");
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    public float ReadFloat() => BitConverter.UInt32BitsToSingle(ReadFixed32());

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Malformed($"a length of {length} runs past the end");
        }

        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>The offset of the next byte, for callers that keep slices as offsets into the original buffer.</summary>
    public readonly int Position => _position;

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint: ReadVarint(); break;
            case Fixed64:
                if (_position + 8 > _data.Length)
                {
                    throw Malformed("truncated fixed64");
                }

                _position += 8;
                break;
            case LengthDelimited: ReadLengthDelimited(); break;
            case Fixed32: ReadFixed32(); break;
            default: throw Malformed($"unsupported wire type {wireType}");
        }
    }

    public readonly PsException Malformed(string what) => new(PsErrorCode.InvalidArgument, $"malformed {message}: {what}");
}
