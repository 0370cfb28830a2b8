using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace PsTraining.Protocol;

/// <summary>A model's parameters as one flat vector with its layout, and the model's name.</summary>
public sealed record ModelWeights(string Model, ParameterLayout Layout, float[] Weights);

/// <summary>
/// A model's parameters in a safetensors file (https://huggingface.co/docs/safetensors/): an 8-byte little-endian
/// header length, a JSON header giving each tensor's dtype, shape and byte range, then the tensors' little-endian
/// bytes. PyTorch, TorchSharp.PyBridge and the safetensors libraries read and write it; the parameter server reads it
/// here, with no tensor library, to seed its weights. The tensors' order is the order of their bytes, which is the
/// model's parameter order in the files <see cref="Write"/> makes; the model's name travels in the header's metadata.
/// </summary>
public static class WeightsFile
{
    /// <summary>The metadata key of the model's name.</summary>
    public const string ModelKey = "pstraining.model";

    private const string MetadataKey = "__metadata__";

    /// <summary>Headers past this size are not safetensors headers (the format itself caps them at 100 MB).</summary>
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="weights"/> of <paramref name="model"/> in <paramref name="layout"/>'s order, with <paramref name="metadata"/> beside the model's name.</summary>
    public static void Write(string path, string model, ParameterLayout layout, ReadOnlySpan<float> weights, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (weights.Length != layout.TotalLength)
        {
            throw new ArgumentException($"{weights.Length} weights for a layout of {layout.TotalLength} floats");
        }

        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            json.WriteString("format", "pt");
            json.WriteString(ModelKey, model);
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            foreach (var tensor in layout.Tensors)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(4L * tensor.Offset);
                json.WriteNumberValue(4L * (tensor.Offset + tensor.Length));
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // The format pads the header with spaces so that the data starts 8-byte aligned.
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            file.Write(length);
            header.Position = 0;
            header.CopyTo(file);
            file.Write(MemoryMarshal.AsBytes(weights));
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a file of float32 tensors; every way it can be malformed is an <see cref="InvalidDataException"/> that names the file.</summary>
    public static ModelWeights Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        Span<byte> prefix = stackalloc byte[8];
        if (file.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw Malformed(path, "it is shorter than the 8 bytes of a header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
        {
            throw Malformed(path, $"its header length ({headerLength} bytes) runs past the file ({file.Length} bytes)");
        }

        var header = new byte[headerLength];
        file.ReadExactly(header);
        var dataLength = file.Length - 8 - (long)headerLength;
        var (model, tensors) = ParseHeader(path, header);
        var expected = 0L;
        foreach (var t in tensors)
        {
            if (t.Start != expected)
            {
                throw Malformed(path, $"tensor '{t.Name}' starts at byte {t.Start} of the data, not at {expected}: tensors must lie end to end");
            }

            expected = t.End;
        }

        if (expected != dataLength)
        {
            throw Malformed(path, $"its tensors take {expected} bytes, but {dataLength} follow the header");
        }

        ParameterLayout layout;
        try
        {
            layout = new ParameterLayout(tensors.Select(t => (t.Name, t.Shape)));
        }
        catch (ArgumentException e)
        {
            throw Malformed(path, e.Message);
        }

        var weights = new float[layout.TotalLength];
        file.ReadExactly(MemoryMarshal.AsBytes(weights.AsSpan()));
        return new ModelWeights(model ?? Path.GetFileNameWithoutExtension(path), layout, weights);
    }

    private static (string? Model, List<Entry> Tensors) ParseHeader(string path, byte[] header)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Malformed(path, $"its header is not JSON ({e.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(path, "its header is not a JSON object");
            }

            string? model = null;
            var tensors = new List<Entry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    model = property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty(ModelKey, out var name) && name.ValueKind == JsonValueKind.String
                        ? name.GetString()
                        : null;
                    continue;
                }

                tensors.Add(Entry.Parse(path, property));
            }

            if (tensors.Count == 0)
            {
                throw Malformed(path, "it holds no tensor");
            }

            return (model, [.. tensors.OrderBy(t => t.Start)]);
        }
    }

    private static InvalidDataException Malformed(string path, string why) => new($"{path} is not a safetensors file of float32 weights: {why}");

    /// <summary>One tensor of the header: its name, shape and byte range in the data.</summary>
    private sealed record Entry(string Name, long[] Shape, long Start, long End)
    {
        public static Entry Parse(string path, JsonProperty property)
        {
            var value = property.Value;
            if (value.ValueKind != JsonValueKind.Object
                || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
                || !value.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
                || !value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            {
                throw Malformed(path, $"tensor '{property.Name}' lacks a dtype, a shape or two data_offsets");
            }

            if (dtype.GetString() != "F32")
            {
                throw Malformed(path, $"tensor '{property.Name}' is {dtype.GetString()}; the parameter server holds F32 (float32) only");
            }

            if (shape.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var n) || n < 0)
                || offsets.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out var n) || n < 0))
            {
                throw Malformed(path, $"tensor '{property.Name}' has a shape or data_offsets that are not non-negative integers");
            }

            var dims = shape.EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var (start, end) = (offsets[0].GetInt64(), offsets[1].GetInt64());
            var count = dims.Aggregate(1.0, (a, d) => a * d);
            if (end < start || end - start != 4 * count)
            {
                throw Malformed(path, $"tensor '{property.Name}' of shape [{string.Join(", ", dims)}] spans bytes {start}..{end}, not {4 * count} bytes");
            }

            return new Entry(property.Name, dims, start, end);
        }
    }
}
