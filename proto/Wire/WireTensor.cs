using System.Runtime.InteropServices;

namespace PsTraining.Protocol.Wire;

/// <summary>A tensor (pstraining.v1.Tensor) as decoded from the wire: its float32 values stay as little-endian bytes, usually a slice of the received buffer.</summary>
public sealed record WireTensor(string Name, long[] Shape, ReadOnlyMemory<byte> ValueBytes)
{
    public int Count => ValueBytes.Length / sizeof(float);

    public void CopyTo(Span<float> destination) => MemoryMarshal.Cast<byte, float>(ValueBytes.Span).CopyTo(destination);
}
