using System.Runtime.InteropServices;
using System.Text;

namespace PsTraining.Torch;

/// <summary>
/// A small, language-neutral file of named tensors (tests/reference/pstensors.py writes the same format
/// from PyTorch). Layout, little-endian: magic "PSTSD001", int32 count, then per tensor: int32 name
/// length, UTF-8 name, int32 dtype (c10::ScalarType), int32 ndim, int64 dims[ndim], raw elements.
/// </summary>
public static class StateDictFile
{
    private static readonly byte[] Magic = "PSTSD001"u8.ToArray();

    /// <summary>Limits that stop a corrupt header from asking for an absurd allocation.</summary>
    private const long MaxElements = 1L << 31;

    private const int MaxNameBytes = 4096;

    private const int MaxDims = 64;

    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Write to a temporary file and rename, so that a crash never leaves a half-written file behind.
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(tensors.Count);
            foreach (var (name, tensor) in tensors)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(nameBytes.Length);
                writer.Write(nameBytes);
                var dtype = tensor.dtype;
                writer.Write((int)dtype);
                var shape = tensor.shape;
                writer.Write(shape.Length);
                foreach (var d in shape)
                {
                    writer.Write(d);
                }

                writer.Write(RawBytes(tensor, dtype));
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads the tensors of a state dict file. A missing file gives <see cref="FileNotFoundException"/>; a truncated
    /// or corrupt one gives <see cref="InvalidDataException"/> naming the file and the tensor, and nothing leaks.
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"state dict file '{path}' does not exist", path);
        }

        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var result = new Dictionary<string, Tensor>();
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"'{path}' is not a PsTraining state dict file (bad magic)");
            }

            var count = reader.ReadInt32();
            if (count < 0)
            {
                throw new InvalidDataException($"'{path}' is corrupt: it claims {count} tensors");
            }

            for (var i = 0; i < count; i++)
            {
                // Every length read from the file is checked before it sizes an allocation.
                var nameLength = reader.ReadInt32();
                if (nameLength is < 0 or > MaxNameBytes)
                {
                    throw new InvalidDataException($"'{path}' is corrupt: tensor {i} has a name of {nameLength} bytes");
                }

                var name = Encoding.UTF8.GetString(ReadExactly(reader, nameLength));
                var dtype = (ScalarType)reader.ReadInt32();
                if (!Enum.IsDefined(dtype))
                {
                    throw new InvalidDataException($"'{path}': tensor '{name}' has unknown dtype code {(int)dtype}");
                }

                var ndim = reader.ReadInt32();
                if (ndim is < 0 or > MaxDims)
                {
                    throw new InvalidDataException($"'{path}' is corrupt: tensor '{name}' has {ndim} dimensions");
                }

                var shape = new long[ndim];
                var elements = 1L;
                for (var d = 0; d < shape.Length; d++)
                {
                    shape[d] = reader.ReadInt64();
                    if (shape[d] < 0 || (shape[d] > 0 && elements > MaxElements / shape[d]))
                    {
                        throw new InvalidDataException($"'{path}': tensor '{name}' has an invalid shape");
                    }

                    elements *= shape[d];
                }

                var byteCount = elements * ScalarTypes.ElementSize(dtype);
                if (byteCount > stream.Length - stream.Position)
                {
                    throw new InvalidDataException($"'{path}' is truncated inside tensor '{name}'");
                }

                if (byteCount > Array.MaxLength)
                {
                    throw new InvalidDataException($"'{path}': tensor '{name}' is too large to load ({byteCount} bytes)");
                }

                if (result.ContainsKey(name))
                {
                    throw new InvalidDataException($"'{path}' is corrupt: tensor '{name}' appears twice");
                }

                result.Add(name, FromBytes(ReadExactly(reader, (int)byteCount), dtype, shape).DetachFromDisposeScope());
            }
        }
        catch (Exception e)
        {
            // The tensors read so far belong to no scope: free them, or they would live until finalization.
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            if (e is EndOfStreamException)
            {
                throw new InvalidDataException($"'{path}' is truncated", e);
            }

            throw;
        }

        return result;
    }

    private static byte[] ReadExactly(BinaryReader reader, int count)
    {
        var bytes = reader.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new EndOfStreamException();
    }

    private static byte[] RawBytes(Tensor tensor, ScalarType dtype)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("state dict files are little-endian");
        }

        var bytes = new byte[tensor.numel() * ScalarTypes.ElementSize(dtype)];
        var span = bytes.AsSpan();
        switch (dtype)
        {
            case ScalarType.Float32: tensor.copy_to(MemoryMarshal.Cast<byte, float>(span)); break;
            case ScalarType.Float64: tensor.copy_to(MemoryMarshal.Cast<byte, double>(span)); break;
            case ScalarType.Int64: tensor.copy_to(MemoryMarshal.Cast<byte, long>(span)); break;
            case ScalarType.Int32: tensor.copy_to(MemoryMarshal.Cast<byte, int>(span)); break;
            case ScalarType.UInt8: tensor.copy_to(span); break;
            case ScalarType.Bool: tensor.copy_to(MemoryMarshal.Cast<byte, bool>(span)); break;
            default: throw new NotSupportedException($"saving {dtype} tensors is not supported");
        }

        return bytes;
    }

    private static Tensor FromBytes(byte[] bytes, ScalarType dtype, long[] shape) => dtype switch
    {
        ScalarType.Float32 => torch.tensor<float>(MemoryMarshal.Cast<byte, float>(bytes), shape),
        ScalarType.Float64 => torch.tensor<double>(MemoryMarshal.Cast<byte, double>(bytes), shape),
        ScalarType.Int64 => torch.tensor<long>(MemoryMarshal.Cast<byte, long>(bytes), shape),
        ScalarType.Int32 => torch.tensor<int>(MemoryMarshal.Cast<byte, int>(bytes), shape),
        ScalarType.UInt8 => torch.tensor<byte>(bytes, shape),
        ScalarType.Bool => torch.tensor<bool>(MemoryMarshal.Cast<byte, bool>(bytes), shape),
        _ => throw new InvalidDataException($"tensors of {dtype} are not supported in state dict files"),
    };
}
