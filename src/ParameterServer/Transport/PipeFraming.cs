using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using PsTraining.Protocol.Wire;

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

    /// <summary>Above this size a message is encoded into a pooled buffer and handed to the pipe in chunks.</summary>
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Writes one message with its 5-byte header and flushes. A large message goes to the pipe in chunks with a flush per
    /// megabyte, so the transport never allocates one huge segment and the peer's flow control applies back-pressure.
    /// </summary>
    public static async ValueTask WriteMessageAsync(this PipeWriter writer, IWireWriter message, int maxSize, CancellationToken cancellation)
    {
        var size = message.Size;
        if (size > maxSize)
        {
            throw new GrpcStatusException(GrpcStatusCode.ResourceExhausted, $"the response is {size} bytes, more than the limit of {maxSize}");
        }

        var frameSize = GrpcProtocol.HeaderSize + size;
        if (frameSize <= ChunkSize)
        {
            WriteFrame(writer.GetSpan(frameSize), message, size);
            writer.Advance(frameSize);
            await writer.FlushAsync(cancellation).ConfigureAwait(false);
            return;
        }

        var frame = ArrayPool<byte>.Shared.Rent(frameSize);
        try
        {
            WriteFrame(frame, message, size);
            for (var offset = 0; offset < frameSize; offset += ChunkSize)
            {
                var chunk = Math.Min(ChunkSize, frameSize - offset);
                frame.AsSpan(offset, chunk).CopyTo(writer.GetSpan(chunk));
                writer.Advance(chunk);
                if ((offset / ChunkSize) % 16 == 15 || offset + chunk == frameSize)
                {
                    await writer.FlushAsync(cancellation).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private static void WriteFrame(Span<byte> destination, IWireWriter message, int size)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
        message.Write(destination.Slice(GrpcProtocol.HeaderSize, size));
    }
}
