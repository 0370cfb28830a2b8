namespace PsTraining.Protocol.Wire;

/// <summary>
/// pstraining.v1.PushRequest (1: learner_id, 2: sequence, 3: read_version, 4: gradients, 5: loss, 6: return_weights)
/// decoded with its gradient values left in the received buffer, to be copied once into the server's flat gradient.
/// </summary>
public sealed record PushWire(uint LearnerId, ulong Sequence, ulong ReadVersion, IReadOnlyList<WireTensor> Gradients, float Loss, bool ReturnWeights = false)
    : IDisposable
{
    private const string Context = "PushRequest";

    /// <summary>The pooled payload the gradients are slices of, if any: it goes back to the pool on <see cref="Dispose"/>.</summary>
    internal PooledPayload? Payload { get; init; }

    public void Dispose() => Payload?.Dispose();

    /// <summary>Decodes <paramref name="data"/>; the gradients are slices of it, valid as long as it is.</summary>
    public static PushWire Parse(ReadOnlyMemory<byte> data)
    {
        var memory = data;
        var reader = new ProtoReader(data.Span, Context);
        uint learner = 0;
        ulong sequence = 0, read = 0;
        var loss = 0f;
        var returnWeights = false;
        var gradients = new List<WireTensor>();
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (1, ProtoReader.Varint): learner = (uint)reader.ReadVarint(); break;
                case (2, ProtoReader.Varint): sequence = reader.ReadVarint(); break;
                case (3, ProtoReader.Varint): read = reader.ReadVarint(); break;
                case (4, ProtoReader.LengthDelimited):
                    var tensor = reader.ReadLengthDelimited();
                    gradients.Add(TensorCodec.Read(memory.Slice(reader.Position - tensor.Length, tensor.Length), Context));
                    break;
                case (5, ProtoReader.Fixed32): loss = reader.ReadFloat(); break;
                case (6, ProtoReader.Varint): returnWeights = reader.ReadVarint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }

        return new PushWire(learner, sequence, read, gradients, loss, returnWeights);
    }
}
