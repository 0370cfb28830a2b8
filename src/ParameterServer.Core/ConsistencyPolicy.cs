using System.Globalization;

namespace PsTraining.ParameterServer.Core;

/// <summary>A consistency policy and its bound: <c>asp</c>, <c>ssp:S</c> or <c>bsp</c>.</summary>
public sealed record ConsistencyPolicy(PolicyKind Kind, int Staleness = 0)
{
    public static readonly ConsistencyPolicy Asp = new(PolicyKind.Asp);

    public static readonly ConsistencyPolicy Bsp = new(PolicyKind.Bsp);

    public static ConsistencyPolicy Ssp(int staleness) =>
        staleness >= 0 ? new(PolicyKind.Ssp, staleness) : throw new ArgumentOutOfRangeException(nameof(staleness), staleness, "the SSP bound must be >= 0");

    /// <summary>What <see cref="Parse"/> accepts, as a sentence ends.</summary>
    public const string Accepted = "asp, ssp:S (S >= 0) or bsp";

    public static ConsistencyPolicy Parse(string text) =>
        TryParse(text) ?? throw new ArgumentException($"unknown policy '{text}': expected {Accepted}");

    /// <summary>The policy <paramref name="text"/> names, or null.</summary>
    public static ConsistencyPolicy? TryParse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        return t switch
        {
            "asp" => Asp,
            "bsp" => Bsp,
            _ when t.StartsWith("ssp:", StringComparison.Ordinal)
                   && int.TryParse(t.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var s) => Ssp(s),
            _ => null,
        };
    }

    public override string ToString() => Kind switch
    {
        PolicyKind.Ssp => $"ssp:{Staleness}",
        PolicyKind.Bsp => "bsp",
        _ => "asp",
    };
}
