using System.Buffers.Binary;
using System.IO.Compression;

namespace PsTraining.Models.Data;

/// <summary>
/// Reads an IDX file (the MNIST format), plain or gzip: a 4-byte magic (0, 0, type code, rank),
/// rank big-endian int32 dimensions, then the elements. Only unsigned bytes (type 0x08) are supported,
/// which is what the MNIST family uses.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Refuses headers that would ask for more than this many elements.</summary>
    private const long MaxElements = 1L << 31;

    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist", path);
        }

        using var file = File.OpenRead(path);
        if (!IsGzip(file))
        {
            return Read(file, path);
        }

        // Decompress first, so that a corrupt gzip stream and a malformed IDX body get distinct errors.
        using var plain = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            gzip.CopyTo(plain);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': the gzip stream is corrupt ({e.Message})", e);
        }

        plain.Position = 0;
        return Read(plain, path);
    }

    private static (int[] Shape, byte[] Data) Read(Stream stream, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path, "the header");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException($"'{path}' is not an IDX file: the magic number must start with two zero bytes");
        }

        if (magic[2] != UnsignedByte)
        {
            throw new InvalidDataException($"'{path}': element type 0x{magic[2]:x2} is not supported (only unsigned bytes, 0x08)");
        }

        var rank = magic[3];
        if (rank is 0 or > 4)
        {
            throw new InvalidDataException($"'{path}': rank {rank} is out of range (1..4)");
        }

        var shape = new int[rank];
        var count = 1L;
        Span<byte> dim = stackalloc byte[4];
        for (var i = 0; i < rank; i++)
        {
            ReadExactly(stream, dim, path, "the dimensions");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dim);
            count *= shape[i];
            if (shape[i] < 0 || count > MaxElements)
            {
                throw new InvalidDataException($"'{path}': dimension {i} ({shape[i]}) is invalid");
            }
        }

        var data = new byte[count];
        ReadExactly(stream, data, path, $"the {count} elements");
        return (shape, data);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new InvalidDataException($"'{path}' is truncated: it ended after {read} of {buffer.Length} bytes of {what}");
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        var n = file.Read(head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }
}
