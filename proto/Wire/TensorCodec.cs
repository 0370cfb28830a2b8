using System.Runtime.InteropServices;

namespace PsTraining.Protocol.Wire;

/// <summary>
/// pstraining.v1.Tensor on the wire (1: name, 2: packed int64 shape, 3: packed float values), with the values read and
/// written as one block. Accepts everything a protobuf encoder may send: any field order, unknown fields, unpacked or
/// split repeated fields.
/// </summary>
public static class TensorCodec
{
    private const int NameField = 1;
    private const int ShapeField = 2;
    private const int ValuesField = 3;

    public static WireTensor Read(ReadOnlyMemory<byte> message, string context)
    {
        var reader = new ProtoReader(message.Span, context);
        var name = "";
        var shape = new List<long>();
        var values = new PackedFloats();
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field, wire)
            {
                case (NameField, ProtoReader.LengthDelimited):
                    name = System.Text.Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                    break;
                case (ShapeField, ProtoReader.LengthDelimited):
                    var packed = new ProtoReader(reader.ReadLengthDelimited(), context);
                    while (!packed.AtEnd)
                    {
                        shape.Add((long)packed.ReadVarint());
                    }

                    break;
                case (ShapeField, ProtoReader.Varint):
                    shape.Add((long)reader.ReadVarint());
                    break;
                case (ValuesField, ProtoReader.LengthDelimited):
                    var block = reader.ReadLengthDelimited();
                    values.AddRun(message.Slice(reader.Position - block.Length, block.Length), ref reader);
                    break;
                case (ValuesField, ProtoReader.Fixed32):
                    values.AddOne(reader.ReadFixed32());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new WireTensor(name, [.. shape], values.Bytes);
    }

    /// <summary>Encoded size of a tensor message (without its own tag and length).</summary>
    public static int Size(string name, long[] shape, int values)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetByteCount(name);
        var size = nameBytes == 0 ? 0 : ProtoWriter.LengthDelimitedSize(NameField, nameBytes);
        var shapeBytes = ShapeBytes(shape);
        size += shapeBytes == 0 ? 0 : ProtoWriter.LengthDelimitedSize(ShapeField, shapeBytes);
        size += values == 0 ? 0 : ProtoWriter.LengthDelimitedSize(ValuesField, values * sizeof(float));
        return size;
    }

    public static void Write(ref ProtoWriter writer, string name, long[] shape, ReadOnlySpan<float> values)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > 0)
        {
            writer.WriteLength(NameField, nameBytes.Length);
            writer.WriteBytes(nameBytes);
        }

        var shapeBytes = ShapeBytes(shape);
        if (shapeBytes > 0)
        {
            writer.WriteLength(ShapeField, shapeBytes);
            foreach (var d in shape)
            {
                writer.WriteVarint((ulong)d);
            }
        }

        if (values.Length > 0)
        {
            writer.WriteLength(ValuesField, values.Length * sizeof(float));
            writer.WriteBytes(MemoryMarshal.AsBytes(values));
        }
    }

    private static int ShapeBytes(long[] shape) => shape.Sum(d => ProtoWriter.VarintSize((ulong)d));
}
