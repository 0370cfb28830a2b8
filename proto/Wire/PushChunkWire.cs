using System.Runtime.InteropServices;
using PsTraining.Protocol.V1;

namespace PsTraining.Protocol.Wire;

/// <summary>
/// pstraining.v1.PushChunk (1: header, 2: offset, 3: values) decoded with its values left in the received buffer, to be
/// copied once into the gradient at <see cref="Offset"/>.
/// </summary>
public sealed record PushChunkWire(PushHeader? Header, ulong Offset, ReadOnlyMemory<byte> ValueBytes) : IDisposable
{
    private const string Context = "PushChunk";

    internal PooledPayload? Payload { get; init; }

    public int Count => ValueBytes.Length / sizeof(float);

    public void CopyTo(Span<float> destination) => MemoryMarshal.Cast<byte, float>(ValueBytes.Span).CopyTo(destination);

    public void Dispose() => Payload?.Dispose();

    /// <summary>Decodes <paramref name="data"/>; the values are a slice of it, valid as long as it is.</summary>
    public static PushChunkWire Parse(ReadOnlyMemory<byte> data)
    {
        var reader = new ProtoReader(data.Span, Context);
        PushHeader? header = null;
        ulong offset = 0;
        var values = new PackedFloats();
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (1, ProtoReader.LengthDelimited):
                    var bytes = reader.ReadLengthDelimited();
                    try
                    {
                        header = PushHeader.Parser.ParseFrom(bytes);
                    }
                    catch (Google.Protobuf.InvalidProtocolBufferException e)
                    {
                        throw reader.Malformed($"header: {e.Message}");
                    }

                    break;
                case (2, ProtoReader.Varint): offset = reader.ReadVarint(); break;
                case (3, ProtoReader.LengthDelimited):
                    var run = reader.ReadLengthDelimited();
                    values.AddRun(data.Slice(reader.Position - run.Length, run.Length), ref reader);
                    break;
                case (3, ProtoReader.Fixed32): values.AddOne(reader.ReadFixed32()); break;
                default: reader.Skip(wire); break;
            }
        }

        return new PushChunkWire(header, offset, values.Bytes);
    }
}
