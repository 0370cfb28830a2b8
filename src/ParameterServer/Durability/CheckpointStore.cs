using System.Globalization;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;

namespace PsTraining.ParameterServer.Durability;

/// <summary>
/// A folder of checkpoints named checkpoint-&lt;version&gt;.pst, and the version's high-water mark in the file "version".
/// </summary>
public sealed class CheckpointStore : ICheckpointStore
{
    private const string Prefix = "checkpoint-";
    private const string Extension = ".pst";
    private const string HighWaterFile = "version";

    public CheckpointStore(string directory, int keep = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Directory = directory;
        Keep = keep;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public string Location => Directory;

    public int Keep { get; }

    public string Save(CoreState state, string model, ParameterLayout layout)
    {
        var path = Path.Combine(Directory, $"{Prefix}{state.Version:D12}{Extension}");
        CheckpointFile.Write(path, state, model, layout);
        WriteHighWater(state.Version);
        foreach (var old in List().Skip(Keep))
        {
            File.Delete(old.Path);
        }

        return path;
    }

    public LoadedCheckpoint? LoadNewest(List<string> skipped)
    {
        foreach (var (path, _) in List())
        {
            try
            {
                var (state, model, layout) = CheckpointFile.Read(path);
                return new LoadedCheckpoint(state, model, layout, path);
            }
            catch (InvalidDataException e)
            {
                skipped.Add(e.Message);
            }
        }

        return null;
    }

    /// <summary>Atomically (a rename), without fsync: a hint, not a guarantee.</summary>
    public void WriteHighWater(ulong version)
    {
        var path = Path.Combine(Directory, HighWaterFile);
        File.WriteAllText(path + ".tmp", version.ToString(CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public ulong? ReadHighWater()
    {
        var path = Path.Combine(Directory, HighWaterFile);
        return File.Exists(path) && ulong.TryParse(File.ReadAllText(path), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>Checkpoint files, newest first (leftover .tmp files of an interrupted write are not checkpoints).</summary>
    public IEnumerable<(string Path, ulong Version)> List() =>
        System.IO.Directory.EnumerateFiles(Directory, Prefix + "*" + Extension)
            .Select(p => (Path: p, Name: System.IO.Path.GetFileNameWithoutExtension(p)[Prefix.Length..]))
            .Where(p => ulong.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(p => (p.Path, ulong.Parse(p.Name, CultureInfo.InvariantCulture)))
            .OrderByDescending(p => p.Item2);
}
