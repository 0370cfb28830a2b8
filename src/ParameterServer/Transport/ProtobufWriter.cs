using Google.Protobuf;
using PsTraining.Protocol.Wire;

namespace PsTraining.ParameterServer.Transport;

/// <summary>Any generated protobuf message as an <see cref="IWireWriter"/>.</summary>
public sealed class ProtobufWriter(IMessage message) : IWireWriter
{
    public int Size { get; } = message.CalculateSize();

    public void Write(Span<byte> destination) => message.WriteTo(destination[..Size]);

    /// <summary>Parses <paramref name="data"/> with <paramref name="parser"/>, refusing malformed input with INVALID_ARGUMENT.</summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlyMemory<byte> data) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(data.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrpcStatusException(GrpcStatusCode.InvalidArgument, $"malformed {typeof(T).Name}: {e.Message}");
        }
    }
}
