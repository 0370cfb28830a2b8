using System.Security.Cryptography;
using System.Text.Json;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Durability;

/// <summary>
/// One checkpoint, on disk or as a Redis value. Layout: magic "PSTCKPT1"; int32 length and UTF-8 JSON header (version,
/// model, layout, learners, optimiser array count); the weights and each optimiser array as raw little-endian float32;
/// then the SHA-256 of everything before it. One whose digest does not match (torn by a crash, truncated, corrupted)
/// is refused.
/// </summary>
public static class CheckpointFile
{
    private static readonly byte[] Magic = "PSTCKPT1"u8.ToArray();
    private const int DigestSize = 32;

    /// <summary>Writes the checkpoint to a temporary file, fsyncs it and renames it to <paramref name="path"/>: a crash leaves the old file or the new, never half of one.</summary>
    public static void Write(string path, CoreState state, string model, ParameterLayout layout)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            WriteTo(file, state, model, layout);
            file.Flush(flushToDisk: true); // fsync before the rename makes the new name point at complete data
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The checkpoint's bytes, digest included, written to <paramref name="stream"/>.</summary>
    public static void WriteTo(Stream stream, CoreState state, string model, ParameterLayout layout)
    {
        var header = new Header(state.Version, model, layout.Tensors.Select(t => new TensorEntry(t.Name, t.Shape)).ToList(),
            state.Learners.ToList(), state.OptimizerState.Count);
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            hash.AppendData(bytes);
        }

        Put(Magic);
        Put(BitConverter.GetBytes(headerBytes.Length));
        Put(headerBytes);
        Put(System.Runtime.InteropServices.MemoryMarshal.AsBytes(state.Weights.AsSpan()));
        foreach (var array in state.OptimizerState)
        {
            Put(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan()));
        }

        stream.Write(hash.GetHashAndReset());
    }

    /// <summary>Reads and verifies a checkpoint file; throws <see cref="InvalidDataException"/> for a torn or foreign file.</summary>
    public static (CoreState State, string Model, IReadOnlyList<(string Name, long[] Shape)> Layout) Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Verifies and decodes a checkpoint's bytes; <paramref name="path"/> names them in errors.</summary>
    public static (CoreState State, string Model, IReadOnlyList<(string Name, long[] Shape)> Layout) Parse(byte[] bytes, string path)
    {
        if (bytes.Length < Magic.Length + 4 + DigestSize || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not a checkpoint (bad magic or too short)");
        }

        var body = bytes.AsSpan(0, bytes.Length - DigestSize);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - DigestSize)))
        {
            throw new InvalidDataException($"'{path}' is torn or corrupt: its SHA-256 does not match");
        }

        var headerLength = BitConverter.ToInt32(bytes, Magic.Length);
        var offset = Magic.Length + 4;
        var header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(offset, headerLength))
                     ?? throw new InvalidDataException($"'{path}' has an empty header");
        offset += headerLength;
        var floats = header.Layout.Sum(t => t.Shape.Aggregate(1L, (a, d) => a * d));
        var arrays = new List<float[]>();
        for (var i = 0; i <= header.OptimizerArrays; i++)
        {
            var array = new float[floats];
            var size = (int)floats * sizeof(float);
            if (offset + size > body.Length)
            {
                throw new InvalidDataException($"'{path}' is shorter than its header says");
            }

            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(body.Slice(offset, size)).CopyTo(array);
            arrays.Add(array);
            offset += size;
        }

        var state = new CoreState(header.Version, arrays[0], arrays.Skip(1).ToList(), header.Learners);
        return (state, header.Model, header.Layout.Select(t => (t.Name, t.Shape)).ToList());
    }

    private sealed record TensorEntry(string Name, long[] Shape);

    private sealed record Header(ulong Version, string Model, List<TensorEntry> Layout, List<LearnerRecord> Learners, int OptimizerArrays);
}
