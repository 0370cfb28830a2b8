namespace PsTraining.Protocol.Wire;

/// <summary>A message that knows its encoded size and writes itself into a span: what a gRPC frame carries.</summary>
public interface IWireWriter
{
    public int Size { get; }

    public void Write(Span<byte> destination);
}
