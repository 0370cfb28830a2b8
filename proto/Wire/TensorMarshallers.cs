using Grpc.Core;

namespace PsTraining.Protocol.Wire;

/// <summary>
/// gRPC marshallers for the calls that carry the model, over grpc's own serialization contexts: each tensor's floats
/// are copied as one block instead of element by element, and the bytes stay those of the .proto, so any protobuf peer
/// (grpcio included) reads and writes them.
/// </summary>
public static class TensorMarshallers
{
    /// <summary>A PushRequest whose gradients stay in one pooled copy of the payload until the <see cref="PushWire"/> is disposed.</summary>
    public static Marshaller<PushWire> PushRequest { get; } = Marshallers.Create<PushWire>(
        (_, _) => throw new NotSupportedException("push requests are written with FlatTensorsWriter"),
        context => DecodePooled(context, payload => PushWire.Parse(payload.Memory) with { Payload = payload }));

    /// <summary>A PushChunk whose values stay in one pooled copy of the payload until the <see cref="PushChunkWire"/> is disposed.</summary>
    public static Marshaller<PushChunkWire> PushChunk { get; } = Marshallers.Create<PushChunkWire>(
        (_, _) => throw new NotSupportedException("push chunks are written with PushChunkWriter"),
        context => DecodePooled(context, payload => PushChunkWire.Parse(payload.Memory) with { Payload = payload }));

    /// <summary>Any <see cref="IWireWriter"/> as a response; a writer that holds pooled memory gives it back once written.</summary>
    public static Marshaller<IWireWriter> Writer { get; } = Marshallers.Create<IWireWriter>(
        Serialize, _ => throw new NotSupportedException("this marshaller only writes"));

    /// <summary>A response read later by a block codec (<see cref="PullWire"/>): one block copy of its bytes into a pooled buffer.</summary>
    public static Marshaller<PooledPayload> Payload { get; } = Marshallers.Create<PooledPayload>(
        (_, _) => throw new NotSupportedException("this marshaller only reads"), context => PooledPayload.CopyOf(context.PayloadAsReadOnlySequence()));

    private static void Serialize(IWireWriter message, SerializationContext context)
    {
        try
        {
            context.SetPayloadLength(message.Size);
            var buffer = context.GetBufferWriter();
            message.Write(buffer.GetSpan(message.Size)[..message.Size]);
            buffer.Advance(message.Size);
            context.Complete();
        }
        finally
        {
            (message as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// The payload is only valid during this call, and the values are read after it: one block copy into a pooled
    /// buffer that the decoded message owns. Malformed bytes are INVALID_ARGUMENT (this runs before any interceptor).
    /// </summary>
    private static T DecodePooled<T>(DeserializationContext context, Func<PooledPayload, T> parse)
    {
        var payload = PooledPayload.CopyOf(context.PayloadAsReadOnlySequence());
        try
        {
            return parse(payload);
        }
        catch (PsException e)
        {
            payload.Dispose();
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }
}
