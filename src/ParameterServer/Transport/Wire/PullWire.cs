namespace PsTraining.ParameterServer.Transport.Wire;

/// <summary>pstraining.v1.PullResponse (1: version, 2: weights) decoded with the weight values left in the received buffer.</summary>
public sealed record PullWire(ulong Version, IReadOnlyList<WireTensor> Weights)
{
    private const string Context = "PullResponse";

    /// <summary>Decodes <paramref name="data"/>; the weights are slices of it, valid as long as it is.</summary>
    public static PullWire Parse(ReadOnlyMemory<byte> data)
    {
        var memory = data;
        var reader = new ProtoReader(data.Span, Context);
        ulong version = 0;
        var weights = new List<WireTensor>();
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (1, ProtoReader.Varint): version = reader.ReadVarint(); break;
                case (2, ProtoReader.LengthDelimited):
                    var tensor = reader.ReadLengthDelimited();
                    weights.Add(TensorCodec.Read(memory.Slice(reader.Position - tensor.Length, tensor.Length), Context));
                    break;
                default: reader.Skip(wire); break;
            }
        }

        return new PullWire(version, weights);
    }
}
