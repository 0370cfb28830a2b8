using Google.Protobuf;
using PsTraining.ParameterServer.Core;
using Grpc.Core;
using PsTraining.Protocol.V1;
using Proto = PsTraining.Protocol.V1;
using PsTraining.Protocol;
using PsTraining.Protocol.Wire;

namespace PsTraining.ParameterServer.Tests.Transport;

/// <summary>The block-copy codecs against Google.Protobuf's generated code: each reads what the other writes.</summary>
public sealed class WireCodecTests
{
    private static readonly ParameterLayout Layout = new([("conv.weight", [2, 1, 3]), ("conv.bias", [2]), ("empty", [0])]);

    [Fact]
    public void Our_push_encoding_parses_with_the_generated_code()
    {
        var gradient = Enumerable.Range(0, 8).Select(i => i * 0.5f - 1).ToArray();
        var writer = FlatTensorsWriter.PushRequest(7, 300, 299, 0.25f, Layout, gradient);
        var bytes = new byte[writer.Size];
        writer.Write(bytes);

        var parsed = PushRequest.Parser.ParseFrom(bytes);
        Assert.Equal(7u, parsed.LearnerId);
        Assert.Equal(300UL, parsed.Sequence);
        Assert.Equal(299UL, parsed.ReadVersion);
        Assert.Equal(0.25f, parsed.Loss);
        Assert.Equal(["conv.weight", "conv.bias", "empty"], parsed.Gradients.Select(t => t.Name));
        Assert.Equal([2L, 1, 3], parsed.Gradients[0].Shape);
        Assert.Equal(gradient[..6], parsed.Gradients[0].Values);
        Assert.Equal(gradient[6..], parsed.Gradients[1].Values);
        Assert.Equal(bytes, parsed.ToByteArray());
    }

    [Fact]
    public void Generated_push_encoding_parses_with_ours_and_flattens()
    {
        var request = new PushRequest { LearnerId = 3, Sequence = 9, ReadVersion = 8, Loss = 1.5f };
        request.Gradients.Add(new Proto.Tensor { Name = "conv.bias", Shape = { 2 }, Values = { 10, 11 } });
        request.Gradients.Add(new Proto.Tensor { Name = "empty", Shape = { 0 } });
        request.Gradients.Add(new Proto.Tensor { Name = "conv.weight", Shape = { 2, 1, 3 }, Values = { 1, 2, 3, 4, 5, 6 } });
        var wire = PushWire.Parse(request.ToByteArray());
        Assert.Equal((3u, 9UL, 8UL, 1.5f), (wire.LearnerId, wire.Sequence, wire.ReadVersion, wire.Loss));
        var flat = new float[Layout.TotalLength];
        Layout.Flatten(wire.Gradients, t => t.Name, t => t.Shape, t => t.Count, (t, d) => t.CopyTo(d), flat);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 10, 11], flat);
    }

    [Fact]
    public void Unpacked_and_split_repeated_fields_are_accepted()
    {
        // Tensor{name: "b", shape: 2 (unpacked varint), values: 1.0 (fixed32), [2.0] (packed)}, then an unknown field 9.
        var tensor = new List<byte> { 0x0a, 0x01, (byte)'b', 0x10, 0x02, 0x1d };
        tensor.AddRange(BitConverter.GetBytes(1f));
        tensor.AddRange(new byte[] { 0x1a, 0x04 });
        tensor.AddRange(BitConverter.GetBytes(2f));
        tensor.AddRange(new byte[] { 0x48, 0x05 });
        var message = new List<byte> { 0x08, 0x01, 0x10, 0x01, 0x22, (byte)tensor.Count };
        message.AddRange(tensor);

        var wire = PushWire.Parse(message.ToArray());
        var b = Assert.Single(wire.Gradients);
        Assert.Equal("b", b.Name);
        Assert.Equal([2L], b.Shape);
        var values = new float[2];
        b.CopyTo(values);
        Assert.Equal([1f, 2f], values);
        Assert.Equal([1f, 2f], PushRequest.Parser.ParseFrom(message.ToArray()).Gradients[0].Values);
    }

    [Theory]
    [InlineData(new byte[] { 0x22, 0x05, 0x0a })]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x22, 0x03, 0x1a, 0x03, 0x00 })]
    [InlineData(new byte[] { 0x00, 0x01 })]
    public void Malformed_input_is_invalid_argument(byte[] bytes)
    {
        // The contract's codecs refuse with the core's code; the server sends it as INVALID_ARGUMENT (BadInputTests).
        var e = Assert.Throws<PsException>(() => PushWire.Parse(bytes));
        Assert.Equal(PsErrorCode.InvalidArgument, e.Code);
        Assert.StartsWith("malformed PushRequest", e.Message);
    }

    [Fact]
    public void Our_pull_encoding_round_trips()
    {
        var weights = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();
        var writer = FlatTensorsWriter.PullResponse(42, Layout, weights);
        var bytes = new byte[writer.Size];
        writer.Write(bytes);
        var generated = PullResponse.Parser.ParseFrom(bytes);
        Assert.Equal(42UL, generated.Version);
        Assert.Equal(weights[6..], generated.Weights[1].Values);

        var wire = PullWire.Parse(bytes);
        var flat = new float[Layout.TotalLength];
        Layout.Flatten(wire.Weights, t => t.Name, t => t.Shape, t => t.Count, (t, d) => t.CopyTo(d), flat);
        Assert.Equal(weights, flat);
    }
}
