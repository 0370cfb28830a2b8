using System.Globalization;
using PsTraining.ParameterServer.Core;
using PsTraining.Protocol;
using StackExchange.Redis;

namespace PsTraining.ParameterServer.Durability;

/// <summary>
/// Checkpoints in Redis, for a cluster whose servers share no volume: each checkpoint's bytes (the same, digest
/// included, as a checkpoint file) under PREFIX:checkpoint:VERSION, the versions in the sorted set PREFIX:checkpoints,
/// the high-water mark in PREFIX:version. A checkpoint and its index entry are written in one transaction. They are as
/// durable as the Redis is: give it an append-only file where its restart must not lose them.
/// </summary>
public sealed class RedisCheckpointStore : ICheckpointStore
{
    private readonly IDatabase _redis;
    private readonly string _prefix;

    public RedisCheckpointStore(IDatabase redis, string prefix, int keep = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        _redis = redis;
        _prefix = prefix;
        Keep = keep;
    }

    public int Keep { get; }

    public string Location => $"Redis {string.Join(",", _redis.Multiplexer.GetEndPoints().Select(e => e.ToString()))} under {_prefix}";

    private RedisKey Index => $"{_prefix}:checkpoints";

    private RedisKey HighWater => $"{_prefix}:version";

    /// <summary>The key of one checkpoint, which is also the name it goes by in messages.</summary>
    private string Checkpoint(ulong version) => $"{_prefix}:checkpoint:{version:D12}";

    public string Save(CoreState state, string model, ParameterLayout layout)
    {
        using var bytes = new MemoryStream();
        CheckpointFile.WriteTo(bytes, state, model, layout);
        var key = Checkpoint(state.Version);
        var write = _redis.CreateTransaction();
        _ = write.StringSetAsync(key, bytes.ToArray());
        _ = write.SortedSetAddAsync(Index, Member(state.Version), state.Version);
        _ = write.StringSetAsync(HighWater, Member(state.Version));
        write.Execute();
        foreach (var old in _redis.SortedSetRangeByRank(Index, 0, -(Keep + 1)))
        {
            var drop = _redis.CreateTransaction();
            _ = drop.KeyDeleteAsync(Checkpoint(ulong.Parse((string)old!, CultureInfo.InvariantCulture)));
            _ = drop.SortedSetRemoveAsync(Index, old);
            drop.Execute();
        }

        return key;
    }

    public LoadedCheckpoint? LoadNewest(List<string> skipped)
    {
        foreach (var member in _redis.SortedSetRangeByRank(Index, order: Order.Descending))
        {
            var version = ulong.Parse((string)member!, CultureInfo.InvariantCulture);
            var name = Checkpoint(version);
            var bytes = (byte[]?)_redis.StringGet(name);
            if (bytes is null)
            {
                skipped.Add($"'{name}' is listed but missing");
                continue;
            }

            try
            {
                var (state, model, layout) = CheckpointFile.Parse(bytes, name);
                return new LoadedCheckpoint(state, model, layout, name);
            }
            catch (InvalidDataException e)
            {
                skipped.Add(e.Message);
            }
        }

        return null;
    }

    public void WriteHighWater(ulong version) => _redis.StringSet(HighWater, Member(version));

    public ulong? ReadHighWater() =>
        _redis.StringGet(HighWater) is { HasValue: true } value && ulong.TryParse((string)value!, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static RedisValue Member(ulong version) => version.ToString(CultureInfo.InvariantCulture);
}
