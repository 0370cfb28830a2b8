using System.Runtime.InteropServices;
using Google.Protobuf;
using PsTraining.Protocol.V1;

namespace PsTraining.Protocol.Wire;

/// <summary>pstraining.v1.PushChunk (1: header, 2: offset, 3: values) with the values written as one block.</summary>
public sealed class PushChunkWriter : IWireWriter
{
    private readonly PushHeader? _header;
    private readonly ulong _offset;
    private readonly ReadOnlyMemory<float> _values;
    private readonly int _headerSize;

    public PushChunkWriter(PushHeader? header, ulong offset, ReadOnlyMemory<float> values)
    {
        _header = header;
        _offset = offset;
        _values = values;
        _headerSize = header?.CalculateSize() ?? 0;
        Size = (header is null ? 0 : ProtoWriter.LengthDelimitedSize(1, _headerSize))
               + (offset == 0 ? 0 : ProtoWriter.TagSize(2) + ProtoWriter.VarintSize(offset))
               + (values.IsEmpty ? 0 : ProtoWriter.LengthDelimitedSize(3, values.Length * sizeof(float)));
    }

    public int Size { get; }

    public void Write(Span<byte> destination)
    {
        var writer = new ProtoWriter(destination);
        if (_header is not null)
        {
            writer.WriteLength(1, _headerSize);
            _header.WriteTo(destination.Slice(writer.Written, _headerSize));
            writer.Skip(_headerSize);
        }

        if (_offset != 0)
        {
            writer.WriteTag(2, ProtoReader.Varint);
            writer.WriteVarint(_offset);
        }

        if (!_values.IsEmpty)
        {
            writer.WriteLength(3, _values.Length * sizeof(float));
            writer.WriteBytes(MemoryMarshal.AsBytes(_values.Span));
        }
    }
}
