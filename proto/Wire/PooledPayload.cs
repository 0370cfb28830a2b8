using System.Buffers;

namespace PsTraining.Protocol.Wire;

/// <summary>A received message's bytes in one pooled buffer, for codecs that read it after the call: disposing returns the buffer.</summary>
public sealed class PooledPayload : IDisposable
{
    private byte[]? _buffer;

    private PooledPayload(byte[] buffer, int length)
    {
        _buffer = buffer;
        Memory = buffer.AsMemory(0, length);
    }

    /// <summary>One block copy of <paramref name="payload"/> (valid only while a marshaller runs) into a pooled buffer.</summary>
    public static PooledPayload CopyOf(ReadOnlySequence<byte> payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(buffer);
        return new PooledPayload(buffer, (int)payload.Length);
    }

    public ReadOnlyMemory<byte> Memory { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
