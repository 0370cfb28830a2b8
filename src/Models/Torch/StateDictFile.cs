using System.Collections;
using System.Collections.Specialized;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace PsTraining.Models.Torch;

/// <summary>
/// Named tensors in PyTorch's own file format (<c>torch.save</c> of a dict of tensors; <c>torch.load</c> reads what
/// this writes), through TorchSharp.PyBridge: reference fixtures, and what the experiments save for PyTorch to read (a
/// batch, a model's <c>state_dict()</c>). Unlike PyBridge's <c>save_py</c>, which stamps the time of writing into the
/// file, the same tensors always give the same bytes, as the experiments' reproducibility asks.
/// </summary>
public static class StateDictFile
{
    /// <summary>
    /// Writes <paramref name="tensors"/> as <c>torch.save</c> does a dict of them. Any tensor may be given: a view, a
    /// transposed or a GPU tensor is written as a plain contiguous CPU copy of its values (PyBridge's pickler writes a
    /// view's elements but its storage offset, and refuses non-contiguous tensors).
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // Write to a temporary file and rename, so that a crash never leaves a half-written file behind.
        var temporary = path + ".tmp";
        using var scope = NewDisposeScope();
        // In the caller's order: a Hashtable's order follows string hash codes, which differ from process to process, and
        // the same tensors must give the same bytes.
        var table = new OrderedDictionary();
        foreach (var (name, tensor) in tensors)
        {
            table[name] = Plain(tensor);
        }

        try
        {
            // File.Create truncates a temporary file that an earlier crash left behind; PickleStateDict(string) would not.
            using (var stream = File.Create(temporary))
            {
                PyTorchPickler.PickleStateDict(stream, table, leaveOpen: true);
                PinTimestamps(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Every tensor of the file by name; a file that is not a PyTorch dict of tensors is an <see cref="InvalidDataException"/>.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no tensor file at {path}", path);
        }

        Hashtable table;
        try
        {
            // Our own stream, closed whatever happens: PyBridge leaves the file open when it refuses it.
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path} is not a PyTorch file of named tensors: {e.Message}", e);
        }

        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in table)
        {
            result[(string)entry.Key] = entry.Value as Tensor
                ?? throw new InvalidDataException($"{path}: '{entry.Key}' is a {entry.Value?.GetType().Name ?? "null"}, not a tensor");
        }

        return result;
    }

    /// <summary>
    /// Sets every entry's modification time in the zip archive that <paramref name="stream"/> holds to the earliest a zip
    /// can record (PyBridge stamps them with the time of writing), so that the same tensors give the same file.
    /// </summary>
    private static void PinTimestamps(Stream stream)
    {
        stream.Position = 0;
        using var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true);
        foreach (var entry in archive.Entries)
        {
            entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }
    }

    /// <summary>The tensor's values in a contiguous CPU tensor of their own (storage offset 0), without autograd history.</summary>
    private static Tensor Plain(Tensor tensor)
    {
        var plain = tensor.detach().cpu().contiguous();
        return plain.storage_offset() == 0 ? plain : plain.clone();
    }
}
