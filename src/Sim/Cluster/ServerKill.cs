using System.Globalization;

namespace PsTraining.Sim.Cluster;

/// <summary>
/// A fault to inject: server <see cref="Server"/> killed with SIGKILL <see cref="At"/> seconds after the learners'
/// common start (<c>--kill-server K@T</c>), and what came of it: when it happened, how long until every learner pushed
/// again, and when the server was started again (<c>--restart-after</c>).
/// </summary>
internal sealed class ServerKill(int server, double at)
{
    public int Server { get; } = server;

    public double At { get; } = at;

    /// <summary>Seconds after the start when the kill was done; null before.</summary>
    public double? KilledAt { get; set; }

    /// <summary>Seconds from the kill until every learner had a push applied again; null until then.</summary>
    public double? RecoverySeconds { get; set; }

    public double? RestartedAt { get; set; }

    /// <summary>The learners that have not pushed since the kill.</summary>
    public HashSet<string> Waiting { get; } = [];

    /// <summary>Parses "K@T": server K (0-based) at T seconds.</summary>
    public static ServerKill Parse(string text)
    {
        var parts = text.Split('@');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
                                 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t >= 0
            ? new ServerKill(k, t)
            : throw new ArgumentException($"--kill-server: expected K@T (server K, 0-based, killed T >= 0 seconds into the run), not '{text}'");
    }

    /// <summary>How the live view and the log say it.</summary>
    public string Describe() => (KilledAt, RecoverySeconds, RestartedAt) switch
    {
        (null, _, _) => string.Create(CultureInfo.InvariantCulture, $"server {Server} to be killed at {At:0.#} s"),
        ({ } k, null, var r) => string.Create(CultureInfo.InvariantCulture, $"server {Server} killed at {k:0.#} s, recovering{(r is { } s ? $" (restarted at {s:0.#} s)" : "")}"),
        ({ } k, { } rec, var r) => string.Create(CultureInfo.InvariantCulture, $"server {Server} killed at {k:0.#} s, recovered in {rec:0.0} s{(r is { } s ? $" (restarted at {s:0.#} s)" : "")}"),
    };
}
