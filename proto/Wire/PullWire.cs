namespace PsTraining.Protocol.Wire;

/// <summary>
/// Weights as a response carries them, decoded with their values left in the received buffer: a
/// pstraining.v1.PullResponse (1: version, 2: weights), or a PushResponse that asked for them (<see cref="ParsePush"/>).
/// </summary>
public sealed record PullWire(ulong Version, IReadOnlyList<WireTensor> Weights)
{
    private const string Context = "PullResponse";

    /// <summary>Decodes <paramref name="data"/>; the weights are slices of it, valid as long as it is.</summary>
    public static PullWire Parse(ReadOnlyMemory<byte> data) => Parse(data, Context, versionField: 1, weightsField: 2);

    /// <summary>A PushResponse (1: version, 2: staleness, 3: duplicate, 4: applied_learning_rate, 5: weights, 6: weights_version): its weights, and the push's outcome.</summary>
    public static (PullWire Weights, Protocol.V1.PushResponse Push) ParsePush(ReadOnlyMemory<byte> data)
    {
        var push = new Protocol.V1.PushResponse();
        var reader = new ProtoReader(data.Span, "PushResponse");
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (1, ProtoReader.Varint): push.Version = reader.ReadVarint(); break;
                case (2, ProtoReader.Varint): push.Staleness = reader.ReadVarint(); break;
                case (3, ProtoReader.Varint): push.Duplicate = reader.ReadVarint() != 0; break;
                case (4, ProtoReader.Fixed32): push.AppliedLearningRate = reader.ReadFloat(); break;
                default: reader.Skip(wire); break;
            }
        }

        return (Parse(data, "PushResponse", versionField: 6, weightsField: 5), push);
    }

    private static PullWire Parse(ReadOnlyMemory<byte> data, string context, int versionField, int weightsField)
    {
        var memory = data;
        var reader = new ProtoReader(data.Span, context);
        ulong version = 0;
        var weights = new List<WireTensor>();
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == versionField && wire == ProtoReader.Varint)
            {
                version = reader.ReadVarint();
            }
            else if (field == weightsField && wire == ProtoReader.LengthDelimited)
            {
                var tensor = reader.ReadLengthDelimited();
                weights.Add(TensorCodec.Read(memory.Slice(reader.Position - tensor.Length, tensor.Length), context));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return new PullWire(version, weights);
    }
}
