using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PsTraining.Hosting;

/// <summary>
/// Debian's redis-server as a child process on a free loopback port, with nothing saved to disk: the membership table
/// and shard state of a local cluster of parameter servers. The launcher and the tests start one per run.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly ChildProcess _process;

    private RedisServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>"127.0.0.1:PORT", as the servers' --redis takes it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server and waits until it answers PING; its log goes to <paramref name="logPath"/>.</summary>
    public static async Task<RedisServer> StartAsync(string logPath, TimeSpan? timeout = null)
    {
        var port = LoopbackPort.Free();
        ChildProcess process;
        try
        {
            process = ChildProcess.StartProgram("redis", "redis-server",
                ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Path.GetDirectoryName(Path.GetFullPath(logPath))!], logPath);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException("redis-server is needed for a cluster of several servers; ./scripts/setup.sh installs Debian's redis-server", e);
        }

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await AnswersPing(port))
        {
            if (process.Exited.IsCompleted || DateTime.UtcNow > deadline)
            {
                var tail = process.Tail();
                process.Dispose();
                throw new InvalidOperationException($"redis-server on port {port} did not start:\n{tail}");
            }

            await Task.Delay(50);
        }

        return new RedisServer(process, port);
    }

    private static async Task<bool> AnswersPing(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    public void Dispose() => _process.Dispose();
}
