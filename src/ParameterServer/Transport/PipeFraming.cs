using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using PsTraining.ParameterServer.Transport.Wire;

namespace PsTraining.ParameterServer.Transport;

/// <summary>gRPC message framing as extension methods on pipes: one length-prefixed message in, one out.</summary>
public static class PipeFraming
{
    /// <summary>
    /// Reads one message of at most <paramref name="maxSize"/> bytes, or null at the end of the stream. The size is
    /// checked from the header, before the body is buffered; an incomplete frame waits for more data instead of spinning.
    /// </summary>
    public static async ValueTask<byte[]?> ReadMessageAsync(this PipeReader reader, int maxSize, CancellationToken cancellation)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellation).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (TryParseFrame(ref buffer, maxSize, out var message))
            {
                reader.AdvanceTo(buffer.Start);
                return message;
            }

            if (read.IsCompleted)
            {
                if (buffer.Length > 0)
                {
                    throw new GrpcStatusException(GrpcStatusCode.Internal, $"the stream ended inside a message ({buffer.Length} bytes of an incomplete frame)");
                }

                reader.AdvanceTo(buffer.End);
                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryParseFrame(ref ReadOnlySequence<byte> buffer, int maxSize, out byte[]? message)
    {
        message = null;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        if (header[0] != 0)
        {
            throw new GrpcStatusException(GrpcStatusCode.Unimplemented, "compressed messages are not supported; send them uncompressed (grpc-encoding identity)");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > maxSize)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"the message is {length} bytes, more than the limit of {maxSize}");
        }

        if (buffer.Length < GrpcProtocol.HeaderSize + length)
        {
            return false;
        }

        message = buffer.Slice(GrpcProtocol.HeaderSize, length).ToArray();
        buffer = buffer.Slice(GrpcProtocol.HeaderSize + length);
        return true;
    }

    /// <summary>Writes one message with its 5-byte header and flushes.</summary>
    public static async ValueTask WriteMessageAsync(this PipeWriter writer, IWireWriter message, int maxSize, CancellationToken cancellation)
    {
        var size = message.Size;
        if (size > maxSize)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"the response is {size} bytes, more than the limit of {maxSize}");
        }

        var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        message.Write(span.Slice(GrpcProtocol.HeaderSize, size));
        writer.Advance(GrpcProtocol.HeaderSize + size);
        await writer.FlushAsync(cancellation).ConfigureAwait(false);
    }
}
