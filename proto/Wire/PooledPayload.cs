using System.Buffers;

namespace PsTraining.Protocol.Wire;

/// <summary>A received message's bytes in one pooled buffer, for codecs that read it after the call: disposing returns the buffer.</summary>
public sealed class PooledPayload : IDisposable
{
    private byte[]? _buffer;

    internal PooledPayload(byte[] buffer, int length)
    {
        _buffer = buffer;
        Memory = buffer.AsMemory(0, length);
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
