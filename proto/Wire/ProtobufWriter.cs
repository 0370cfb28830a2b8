using Google.Protobuf;

namespace PsTraining.Protocol.Wire;

/// <summary>Any generated protobuf message as an <see cref="IWireWriter"/>, for a call whose other messages are written in blocks.</summary>
public sealed class ProtobufWriter(IMessage message) : IWireWriter
{
    public int Size { get; } = message.CalculateSize();

    public void Write(Span<byte> destination) => message.WriteTo(destination[..Size]);
}
