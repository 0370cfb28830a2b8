using System.Buffers;

namespace PsTraining.ParameterServer.Transport;

/// <summary>One received message in a buffer rented from the shared pool; disposing returns it. Valid until disposed.</summary>
public sealed class PooledMessage : IDisposable
{
    private byte[]? _buffer;

    internal PooledMessage(int length)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(PooledMessage))).AsMemory(0, Length);

    internal Span<byte> Writable => _buffer.AsSpan(0, Length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
