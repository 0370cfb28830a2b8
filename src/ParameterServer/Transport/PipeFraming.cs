using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using PsTraining.ParameterServer.Transport.Wire;

namespace PsTraining.ParameterServer.Transport;

/// <summary>gRPC message framing as extension methods on pipes: one length-prefixed message in, one out.</summary>
public static class PipeFraming
{
    /// <summary>
    /// Reads one message of at most <paramref name="maxSize"/> bytes into a pooled buffer, or returns null at the end of
    /// the stream. The size is checked from the header, before anything is buffered; the body is then copied out of the
    /// pipe as it arrives, so a large message never sits in the pipe whole. An incomplete header waits for more data
    /// (AdvanceTo with examined = end) instead of spinning.
    /// </summary>
    public static async ValueTask<PooledMessage?> ReadMessageAsync(this PipeReader reader, int maxSize, CancellationToken cancellation)
    {
        var length = await ReadHeaderAsync(reader, maxSize, cancellation).ConfigureAwait(false);
        if (length is not { } total)
        {
            return null;
        }

        var message = new PooledMessage(total);
        try
        {
            var filled = 0;
            while (filled < total)
            {
                var read = await reader.ReadAsync(cancellation).ConfigureAwait(false);
                var available = read.Buffer.Slice(0, Math.Min(read.Buffer.Length, total - filled));
                available.CopyTo(message.Writable[filled..]);
                filled += (int)available.Length;
                reader.AdvanceTo(available.End);
                if (filled < total && read.IsCompleted)
                {
                    throw new GrpcStatusException(GrpcStatusCode.Internal, $"the stream ended inside a message ({filled} of {total} bytes)");
                }
            }

            return message;
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private static async ValueTask<int?> ReadHeaderAsync(PipeReader reader, int maxSize, CancellationToken cancellation)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellation).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.Length >= GrpcProtocol.HeaderSize)
            {
                var length = ParseHeader(buffer.Slice(0, GrpcProtocol.HeaderSize), maxSize);
                reader.AdvanceTo(buffer.GetPosition(GrpcProtocol.HeaderSize));
                return length;
            }

            if (read.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return buffer.Length == 0
                    ? null
                    : throw new GrpcStatusException(GrpcStatusCode.Internal, $"the stream ended inside a message header ({buffer.Length} bytes)");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static int ParseHeader(ReadOnlySequence<byte> header, int maxSize)
    {
        Span<byte> bytes = stackalloc byte[GrpcProtocol.HeaderSize];
        header.CopyTo(bytes);
        if (bytes[0] != 0)
        {
            throw new GrpcStatusException(GrpcStatusCode.Unimplemented, "compressed messages are not supported; send them uncompressed (grpc-encoding identity)");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]);
        return length > maxSize
            ? throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"the message is {length} bytes, more than the limit of {maxSize}")
            : (int)length;
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
