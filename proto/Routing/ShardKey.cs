using System.Globalization;
using Grpc.Core;

namespace PsTraining.Protocol.Routing;

/// <summary>
/// Which shard of a cluster a call is for, and the generation of the route it was sent on. It travels as request
/// metadata (<see cref="ShardHeader"/>, <see cref="GenerationHeader"/>), so that every call of the service, whatever
/// its message, can be routed and checked the same way.
/// </summary>
public readonly record struct ShardKey(int Shard, ulong Generation)
{
    public const string ShardHeader = "pstraining-shard";
    public const string GenerationHeader = "pstraining-route-generation";

    /// <summary>The trailer a server adds when it refuses a call for a shard (or generation) it does not hold.</summary>
    public const string ReasonTrailer = "pstraining-reason";
    public const string NotOwner = "not_owner";

    public void AddTo(Metadata headers)
    {
        headers.Add(ShardHeader, Shard.ToString(CultureInfo.InvariantCulture));
        headers.Add(GenerationHeader, Generation.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The key a call's headers name; null when they name none (a call to a server outside a cluster).</summary>
    public static ShardKey? From(Metadata headers)
    {
        var shard = headers.GetValue(ShardHeader);
        if (shard is null)
        {
            return null;
        }

        if (!int.TryParse(shard, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            || !ulong.TryParse(headers.GetValue(GenerationHeader) ?? "", NumberStyles.None, CultureInfo.InvariantCulture, out var g))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"'{ShardHeader}: {shard}' and '{GenerationHeader}: {headers.GetValue(GenerationHeader)}' must be a shard number and a generation"));
        }

        return new ShardKey(s, g);
    }

    /// <summary>True when <paramref name="e"/> says the server does not hold the shard the call named: read the routes again.</summary>
    public static bool IsNotOwner(RpcException e) =>
        e.StatusCode == StatusCode.FailedPrecondition && e.Trailers.GetValue(ReasonTrailer) == NotOwner;

    public override string ToString() => $"shard {Shard} (generation {Generation})";
}
